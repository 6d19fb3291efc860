using System.Text;

namespace Analytics.Core.Ingest;

/// <summary>
/// A streaming RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks. It keeps each
/// record's raw text so a rejected row can be stored as it was written. Memory stays flat whatever the file size:
/// a record longer than <see cref="MaxRecordLength"/> characters (a quote never closed swallows the rest of the
/// file, say) is read to its end but only its first <see cref="MaxRecordLength"/> characters are kept.
/// </summary>
public sealed class CsvRecordReader(TextReader reader, int maxRecordLength = CsvRecordReader.DefaultMaxRecordLength) : ISourceRecord, IDisposable
{
    public const int DefaultMaxRecordLength = 1 << 20;

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
    private int _consumed;

    /// <summary>The file line on which the current record starts (the header is line 1).</summary>
    public long Line { get; private set; }

    public int FieldCount { get; private set; }

    /// <summary>Set when the current record ends inside an open quote.</summary>
    public bool UnterminatedQuote { get; private set; }

    /// <summary>The longest record kept whole, in characters.</summary>
    public int MaxRecordLength => maxRecordLength;

    /// <summary>Set when the current record is longer than <see cref="MaxRecordLength"/>: its fields are not kept.</summary>
    public bool Oversized { get; private set; }

    /// <summary>Why the record is no set of fields: longer than the limit, or a quote never closed.</summary>
    public string? Problem => Oversized
        ? $"the row is longer than {MaxRecordLength:N0} characters (often a quote that is never closed); its first characters are kept here"
        : UnterminatedQuote ? "a quoted field is never closed" : null;

    public ReadOnlySpan<char> this[int index] => _chars.AsSpan(_starts[index], _lengths[index]);

    /// <summary>The record as written, without its line break.</summary>
    public string RawText
    {
        get
        {
            var tail = Math.Min(_recordEnd - _recordStart, maxRecordLength - _rawPrefix.Length);
            return _rawPrefix.Length == 0
                ? new string(_buffer, _recordStart, tail)
                : _rawPrefix.ToString() + new string(_buffer, _recordStart, Math.Max(0, tail));
        }
    }

    public bool Read()
    {
        _rawPrefix.Clear();
        FieldCount = 0;
        UnterminatedQuote = false;
        Oversized = false;
        _consumed = 0;
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
                KeepRaw(_recordStart, _length - _recordStart);
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
            if (++_consumed > maxRecordLength)
            {
                Oversized = true;
            }

            if (inQuotes)
            {
                if (c == '"')
                {
                    if (_position >= _length)
                    {
                        KeepRaw(_recordStart, _length - _recordStart);
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
        if (Oversized)
        {
            return;
        }

        if (used == _chars.Length)
        {
            Array.Resize(ref _chars, _chars.Length * 2);
        }

        _chars[used++] = c;
    }

    private void AddField(int start, int end)
    {
        if (Oversized)
        {
            return;
        }

        if (FieldCount == _starts.Length)
        {
            Array.Resize(ref _starts, FieldCount * 2);
            Array.Resize(ref _lengths, FieldCount * 2);
        }

        _starts[FieldCount] = start;
        _lengths[FieldCount] = end - start;
        FieldCount++;
    }

    private void KeepRaw(int start, int count)
    {
        var room = maxRecordLength - _rawPrefix.Length;
        if (room > 0)
        {
            _rawPrefix.Append(_buffer, start, Math.Min(count, room));
        }
    }

    /// <summary>Refills the buffer. With <paramref name="keep"/>, the current record's raw text is saved first.</summary>
    private bool Fill(bool keep = false)
    {
        if (keep)
        {
            KeepRaw(_recordStart, _recordEnd - _recordStart);
            _recordStart = _recordEnd = 0;
        }

        _length = reader.Read(_buffer, 0, _buffer.Length);
        _position = 0;
        return _length > 0;
    }

    public void Dispose() => reader.Dispose();
}
