// The worker's HTTP/1.1 server on 127.0.0.1 (a TcpListener; a thread per kept-alive connection):
// every request must carry the host's secret (x-switchboard-worker-secret, compared in constant time
// over SHA-256 digests) or is answered 403 before its body is looked at (with the proof of the secret
// when it carried the host's challenge: x-switchboard-worker-proof); GET is the readiness probe,
// POST /<FunctionName> an invocation (the custom-handler payload).
using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading;

namespace Switchboard.Worker
{
    public sealed class Request
    {
        public string Method;
        public string Target;
        public Dictionary<string, string> Headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        public byte[] Body;
    }

    public sealed class Server
    {
        public const string SecretHeader = "x-switchboard-worker-secret";
        const int MaxHeaderBytes = 64 * 1024;
        readonly byte[] secretDigest;
        readonly Func<Request, KeyValuePair<int, string>> handle;
        TcpListener listener;

        public Server(string secret, Func<Request, KeyValuePair<int, string>> handle)
        {
            secretDigest = Digest(secret);
            this.handle = handle;
        }

        public int Start(int port)
        {
            listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            var thread = new Thread(Accept) { IsBackground = true, Name = "accept" };
            thread.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        static byte[] Digest(string text)
        {
            using (var sha = SHA256.Create()) return sha.ComputeHash(Encoding.UTF8.GetBytes(text ?? ""));
        }

        // The host's readiness probe carries no secret but a challenge; the answer proves that this
        // process holds the secret (lower-case hex of HMAC-SHA256 keyed with the secret's SHA-256), so
        // the host never sends the secret to another program that took the port.
        public const string ChallengeHeader = "x-switchboard-worker-challenge";
        public const string ProofHeader = "x-switchboard-worker-proof";

        string Proof(string challenge)
        {
            using (var mac = new HMACSHA256(secretDigest))
            {
                var sum = mac.ComputeHash(Encoding.UTF8.GetBytes(challenge));
                var hex = new StringBuilder(sum.Length * 2);
                foreach (var b in sum) hex.Append(b.ToString("x2"));
                return hex.ToString();
            }
        }

        bool FromHost(Request request)
        {
            string given;
            if (!request.Headers.TryGetValue(SecretHeader, out given)) return false;
            var digest = Digest(given);
            int difference = 0;
            for (int i = 0; i < digest.Length; i++) difference |= digest[i] ^ secretDigest[i];
            return difference == 0;
        }

        void Accept()
        {
            while (true)
            {
                TcpClient client;
                try
                {
                    client = listener.AcceptTcpClient();
                }
                catch (SocketException)
                {
                    continue;
                }
                var thread = new Thread(() => Serve(client)) { IsBackground = true, Name = "connection" };
                thread.Start();
            }
        }

        void Serve(TcpClient client)
        {
            client.NoDelay = true;
            using (client)
            using (var stream = client.GetStream())
            {
                try
                {
                    while (true)
                    {
                        var request = ReadHead(stream);
                        if (request == null) return;
                        KeyValuePair<int, string> answer;
                        string proof = "";
                        bool fromHost = FromHost(request);
                        if (!fromHost)
                        {
                            // The body is read and dropped (at most MaxRefusedBody bytes, never stored) so the answer arrives.
                            if (!Discard(stream, request)) return;
                            answer = new KeyValuePair<int, string>(403, "{\"error\":\"Forbidden: only the functions host may call this worker (" + SecretHeader + ")\"}");
                            string challenge;
                            if (request.Headers.TryGetValue(ChallengeHeader, out challenge))
                                proof = ProofHeader + ": " + Proof(challenge) + "\r\n";
                        }
                        else
                        {
                            ReadBody(stream, request);
                            answer = handle(request);
                        }
                        byte[] body = Encoding.UTF8.GetBytes(answer.Value);
                        string head = "HTTP/1.1 " + answer.Key + " " + Reason(answer.Key) + "\r\nContent-Type: application/json\r\nContent-Length: " + body.Length + "\r\n" + proof + "\r\n";
                        // One write per answer: a head and a body sent apart would wait for the host's
                        // delayed ACK (Nagle), some 40 ms per call.
                        var headBytes = Encoding.ASCII.GetBytes(head);
                        var answerBytes = new byte[headBytes.Length + body.Length];
                        Buffer.BlockCopy(headBytes, 0, answerBytes, 0, headBytes.Length);
                        Buffer.BlockCopy(body, 0, answerBytes, headBytes.Length, body.Length);
                        stream.Write(answerBytes, 0, answerBytes.Length);
                        stream.Flush();
                        string connection;
                        if (request.Headers.TryGetValue("Connection", out connection) && connection.Equals("close", StringComparison.OrdinalIgnoreCase)) return;
                    }
                }
                catch (IOException)
                {
                    // the host closed the connection, or sent what is not HTTP: the connection ends
                }
                catch (ObjectDisposedException)
                {
                }
                catch (Exception e)
                {
                    // Never let one connection's fault end the worker.
                    Console.Error.WriteLine("dotnet worker: a connection failed: " + e.Message);
                }
            }
        }

        static string Reason(int status)
        {
            switch (status)
            {
                case 200: return "OK";
                case 400: return "Bad Request";
                case 403: return "Forbidden";
                case 404: return "Not Found";
                default: return status >= 500 ? "Internal Server Error" : "Status";
            }
        }

        const int MaxRefusedBody = 1 << 20;

        // Reads and drops the body of a refused request; false when it is too large to wait for.
        static bool Discard(Stream stream, Request request)
        {
            string length, encoding;
            if (request.Headers.TryGetValue("Transfer-Encoding", out encoding)) return false;
            if (!request.Headers.TryGetValue("Content-Length", out length)) return true;
            int count;
            if (!int.TryParse(length, out count) || count < 0 || count > MaxRefusedBody) return false;
            var buffer = new byte[8192];
            while (count > 0)
            {
                int n = stream.Read(buffer, 0, Math.Min(buffer.Length, count));
                if (n <= 0) return false;
                count -= n;
            }
            return true;
        }

        // The request line and headers of one request, or null at the end of the connection.
        static Request ReadHead(Stream stream)
        {
            var head = new MemoryStream();
            int matched = 0;
            while (matched < 4)
            {
                int b = stream.ReadByte();
                if (b < 0)
                {
                    if (head.Length == 0) return null;
                    throw new IOException("the connection ended inside a request's headers");
                }
                head.WriteByte((byte)b);
                if (head.Length > MaxHeaderBytes) throw new IOException("request headers too large");
                matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            var lines = Encoding.UTF8.GetString(head.ToArray()).Split(new[] { "\r\n" }, StringSplitOptions.None);
            var first = lines[0].Split(' ');
            if (first.Length < 3) throw new IOException("a malformed request line");
            var request = new Request { Method = first[0], Target = first[1] };
            for (int i = 1; i < lines.Length; i++)
            {
                int colon = lines[i].IndexOf(':');
                if (colon <= 0) continue;
                request.Headers[lines[i].Substring(0, colon).Trim()] = lines[i].Substring(colon + 1).Trim();
            }
            return request;
        }

        // The body, by Content-Length or chunked.
        static void ReadBody(Stream stream, Request request)
        {
            string length, encoding;
            if (request.Headers.TryGetValue("Transfer-Encoding", out encoding) && encoding.IndexOf("chunked", StringComparison.OrdinalIgnoreCase) >= 0)
                request.Body = ReadChunked(stream);
            else if (request.Headers.TryGetValue("Content-Length", out length))
            {
                int count;
                if (!int.TryParse(length, out count) || count < 0) throw new IOException("a bad Content-Length");
                request.Body = ReadExactly(stream, count);
            }
            else
                request.Body = new byte[0];
        }

        static byte[] ReadExactly(Stream stream, int count)
        {
            var buffer = new byte[count];
            int done = 0;
            while (done < count)
            {
                int n = stream.Read(buffer, done, count - done);
                if (n <= 0) throw new IOException("the connection ended inside a request body");
                done += n;
            }
            return buffer;
        }

        static string ReadLine(Stream stream)
        {
            var line = new StringBuilder();
            while (true)
            {
                int b = stream.ReadByte();
                if (b < 0) throw new IOException("the connection ended inside a chunked body");
                if (b == '\n') return line.ToString().TrimEnd('\r');
                line.Append((char)b);
            }
        }

        static byte[] ReadChunked(Stream stream)
        {
            var body = new MemoryStream();
            while (true)
            {
                string size = ReadLine(stream).Split(';')[0].Trim();
                int n;
                if (!int.TryParse(size, System.Globalization.NumberStyles.HexNumber, null, out n) || n < 0) throw new IOException("a bad chunk size");
                if (n == 0)
                {
                    while (ReadLine(stream).Length > 0) { }
                    return body.ToArray();
                }
                var chunk = ReadExactly(stream, n);
                body.Write(chunk, 0, n);
                ReadLine(stream);
            }
        }
    }
}
