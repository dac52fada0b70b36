using System.Net.Sockets;

namespace Amber.Tests.Infrastructure;

/// <summary>Buffered reads of RESP lines and exact byte counts from a socket, shared by the test clients.</summary>
internal sealed class SocketLineReader(Socket socket)
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    /// <summary>True when received bytes are waiting to be read.</summary>
    public bool HasBuffered => _start < _end;

    /// <summary>The next line, without its CRLF.</summary>
    public string ReadLine()
    {
        while (true)
        {
            int idx = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (idx > _start && _buffer[idx - 1] == '\r')
            {
                string line = System.Text.Encoding.UTF8.GetString(_buffer, _start, idx - 1 - _start);
                _start = idx + 1;
                return line;
            }
            Fill();
        }
    }

    public byte[] ReadExact(int count)
    {
        var result = new byte[count];
        int got = 0;
        while (got < count)
        {
            if (_start == _end)
            {
                Fill();
            }
            int take = Math.Min(count - got, _end - _start);
            Array.Copy(_buffer, _start, result, got, take);
            _start += take;
            got += take;
        }
        return result;
    }

    private void Fill()
    {
        if (_start > 0)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length)
        {
            throw new InvalidOperationException("reply line longer than the buffer");
        }
        int n = socket.Receive(_buffer, _end, _buffer.Length - _end, SocketFlags.None);
        if (n == 0)
        {
            throw new EndOfStreamException("server closed the connection");
        }
        _end += n;
    }
}
