// The HTTP request a function receives (Microsoft.AspNetCore.Http.HttpRequest, as the in-process
// model hands it over): method, URL parts, query, headers and the body as a stream. Values are
// StringValues, as there. Filled by the worker from the invocation's request.
using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.Extensions.Primitives;

namespace Microsoft.Extensions.Primitives
{
    // Zero, one or more strings; converts to a string (joined with ",") and back.
    public struct StringValues : IEnumerable<string>
    {
        private readonly string[] values;
        public StringValues(string value) { values = value == null ? new string[0] : new[] { value }; }
        public StringValues(string[] values) { this.values = values ?? new string[0]; }
        public static readonly StringValues Empty = new StringValues(new string[0]);
        public int Count { get { return values == null ? 0 : values.Length; } }
        public string this[int index] { get { return values[index]; } }
        public static bool IsNullOrEmpty(StringValues value) { return value.Count == 0 || value.Count == 1 && string.IsNullOrEmpty(value[0]); }
        public static implicit operator string(StringValues v) { return v.ToString(); }
        public static implicit operator string[](StringValues v) { return v.ToArray(); }
        public static implicit operator StringValues(string v) { return new StringValues(v); }
        public static implicit operator StringValues(string[] v) { return new StringValues(v); }
        public string[] ToArray() { return values == null ? new string[0] : (string[])values.Clone(); }
        public override string ToString()
        {
            if (Count == 0) return null;
            return Count == 1 ? values[0] : string.Join(",", values);
        }
        public IEnumerator<string> GetEnumerator() { return ((IEnumerable<string>)(values ?? new string[0])).GetEnumerator(); }
        IEnumerator IEnumerable.GetEnumerator() { return GetEnumerator(); }
    }
}

namespace Microsoft.AspNetCore.Http
{
    // Names compared ignoring case; a missing name gives StringValues.Empty.
    public class StringValuesCollection : IEnumerable<KeyValuePair<string, StringValues>>
    {
        protected readonly Dictionary<string, StringValues> items =
            new Dictionary<string, StringValues>(StringComparer.OrdinalIgnoreCase);
        public StringValues this[string key]
        {
            get { StringValues v; return items.TryGetValue(key, out v) ? v : StringValues.Empty; }
            set { items[key] = value; }
        }
        public int Count { get { return items.Count; } }
        public ICollection<string> Keys { get { return items.Keys; } }
        public bool ContainsKey(string key) { return items.ContainsKey(key); }
        public bool TryGetValue(string key, out StringValues value) { return items.TryGetValue(key, out value); }
        public IEnumerator<KeyValuePair<string, StringValues>> GetEnumerator() { return items.GetEnumerator(); }
        IEnumerator IEnumerable.GetEnumerator() { return GetEnumerator(); }
    }

    public interface IQueryCollection : IEnumerable<KeyValuePair<string, StringValues>>
    {
        StringValues this[string key] { get; }
        int Count { get; }
        ICollection<string> Keys { get; }
        bool ContainsKey(string key);
        bool TryGetValue(string key, out StringValues value);
    }

    public interface IHeaderDictionary : IEnumerable<KeyValuePair<string, StringValues>>
    {
        StringValues this[string key] { get; set; }
        int Count { get; }
        ICollection<string> Keys { get; }
        bool ContainsKey(string key);
        bool TryGetValue(string key, out StringValues value);
    }

    public class QueryCollection : StringValuesCollection, IQueryCollection { }

    public class HeaderDictionary : StringValuesCollection, IHeaderDictionary { }

    public class QueryString
    {
        public QueryString(string value) { Value = value; }
        public string Value { get; private set; }
        public bool HasValue { get { return !string.IsNullOrEmpty(Value); } }
        public override string ToString() { return Value ?? ""; }
    }

    public class PathString
    {
        public PathString(string value) { Value = value; }
        public string Value { get; private set; }
        public bool HasValue { get { return !string.IsNullOrEmpty(Value); } }
        public override string ToString() { return Value ?? ""; }
    }

    public class HttpRequest
    {
        public HttpRequest()
        {
            Query = new QueryCollection();
            Headers = new HeaderDictionary();
            Body = new MemoryStream(new byte[0], false);
            RouteValues = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
        }
        public string Method { get; set; }
        public string Scheme { get; set; }
        public bool IsHttps { get { return Scheme == "https"; } }
        public string Host { get; set; }
        public PathString Path { get; set; }
        public QueryString QueryString { get; set; }
        public IQueryCollection Query { get; set; }
        public IHeaderDictionary Headers { get; set; }
        public Stream Body { get; set; }
        public string ContentType { get { return Headers["Content-Type"]; } }
        public long? ContentLength { get { return Body.CanSeek ? (long?)Body.Length : null; } }
        public IDictionary<string, object> RouteValues { get; private set; }
    }
}
