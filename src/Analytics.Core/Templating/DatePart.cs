namespace Analytics.Core.Templating;

public enum DatePart
{
    Day,
    Week,
    Month,
}
