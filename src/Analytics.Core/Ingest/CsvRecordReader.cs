using System.Text;

namespace Analytics.Core.Ingest;

/// <summary>
/// A streaming RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks. It keeps each
/// record's raw text so a rejected row can be stored as it was written. Memory stays flat whatever the file size.
/// </summary>
public sealed class CsvRecordReader(TextReader reader) : IDisposable
{
    private readonly char[] _buffer = new char[1 << 16];
    private readonly StringBuilder _rawPrefix = new();
    private char[] _chars = new char[256];
    private int[] _starts = new int[16];
    private int[] _lengths = new int[16];
    private int _position;
    private int _length;
    private int _recordStart;
    private int _recordEnd;
    private long _nextLine = 1;

    /// <summary>The file line on which the current record starts (the header is line 1).</summary>
    public long Line { get; private set; }

    public int FieldCount { get; private set; }

    /// <summary>Set when the current record ends inside an open quote.</summary>
    public bool UnterminatedQuote { get; private set; }

    public ReadOnlySpan<char> this[int index] => _chars.AsSpan(_starts[index], _lengths[index]);

    /// <summary>The record as written, without its line break.</summary>
    public string RawText => _rawPrefix.Length == 0
        ? new string(_buffer, _recordStart, _recordEnd - _recordStart)
        : _rawPrefix.ToString() + new string(_buffer, _recordStart, _recordEnd - _recordStart);

    public bool Read()
    {
        _rawPrefix.Clear();
        FieldCount = 0;
        UnterminatedQuote = false;
        Line = _nextLine;
        if (_position >= _length && !Fill())
        {
            return false;
        }

        _recordStart = _position;
        var used = 0;
        var fieldStart = 0;
        var inQuotes = false;
        var quoted = false;
        while (true)
        {
            if (_position >= _length)
            {
                _rawPrefix.Append(_buffer, _recordStart, _length - _recordStart);
                if (!Fill())
                {
                    _recordStart = _recordEnd = 0;
                    UnterminatedQuote = inQuotes;
                    AddField(fieldStart, used);
                    return true;
                }

                _recordStart = 0;
            }

            var c = _buffer[_position++];
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (_position >= _length)
                    {
                        _rawPrefix.Append(_buffer, _recordStart, _length - _recordStart);
                        _recordStart = 0;
                        if (!Fill())
                        {
                            _recordEnd = 0;
                            AddField(fieldStart, used);
                            return true;
                        }
                    }

                    if (_buffer[_position] == '"')
                    {
                        _position++;
                        Append(ref used, '"');
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    if (c == '\n')
                    {
                        _nextLine++;
                    }

                    Append(ref used, c);
                }
            }
            else if (c == ',')
            {
                AddField(fieldStart, used);
                fieldStart = used;
                quoted = false;
            }
            else if (c == '\n' || c == '\r')
            {
                _recordEnd = _position - 1;
                if (c == '\r' && (_position < _length || Fill(keep: true)) && _buffer[_position] == '\n')
                {
                    _position++;
                }

                _nextLine++;
                AddField(fieldStart, used);
                return true;
            }
            else if (c == '"' && used == fieldStart && !quoted)
            {
                inQuotes = quoted = true;
            }
            else
            {
                Append(ref used, c);
            }
        }
    }

    private void Append(ref int used, char c)
    {
        if (used == _chars.Length)
        {
            Array.Resize(ref _chars, _chars.Length * 2);
        }

        _chars[used++] = c;
    }

    private void AddField(int start, int end)
    {
        if (FieldCount == _starts.Length)
        {
            Array.Resize(ref _starts, FieldCount * 2);
            Array.Resize(ref _lengths, FieldCount * 2);
        }

        _starts[FieldCount] = start;
        _lengths[FieldCount] = end - start;
        FieldCount++;
    }

    /// <summary>Refills the buffer. With <paramref name="keep"/>, the current record's raw text is saved first.</summary>
    private bool Fill(bool keep = false)
    {
        if (keep)
        {
            _rawPrefix.Append(_buffer, _recordStart, _recordEnd - _recordStart);
            _recordStart = _recordEnd = 0;
        }

        _length = reader.Read(_buffer, 0, _buffer.Length);
        _position = 0;
        return _length > 0;
    }

    public void Dispose() => reader.Dispose();
}
