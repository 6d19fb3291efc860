namespace Analytics.Core.Templating;

/// <summary>A template that can't be parsed or rendered; the message names the file and line.</summary>
public sealed class TemplateException(string message) : Exception(message);
