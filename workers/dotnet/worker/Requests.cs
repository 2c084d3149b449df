// The HTTP trigger's value (the payload's request: Method, Url, Query, Headers, Params, Body and
// BodyEncoding) as the parameter's type asks: HttpRequest, HttpRequestMessage, the body as string,
// byte[] or object (parsed JSON, else the text), or any other type read from the JSON body.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.Primitives;

namespace Switchboard.Worker
{
    public static class Requests
    {
        public static object Bind(Dictionary<string, object> request, Type type, FunctionContext context)
        {
            if (request == null) return null;
            byte[] body = BodyBytes(request);
            if (type == typeof(HttpRequest)) return ToHttpRequest(request, body);
            if (type == typeof(HttpRequestData)) return ToRequestData(request, body, context);
            if (type == typeof(HttpRequestMessage)) return ToRequestMessage(request, body);
            if (type == typeof(byte[])) return body;
            string text = Encoding.UTF8.GetString(body);
            if (type == typeof(string)) return text;
            object parsed;
            try
            {
                parsed = text.Trim().Length == 0 ? null : Json.Parse(text);
            }
            catch (FormatException)
            {
                if (type == typeof(object)) return text;
                throw new InvalidOperationException("the request body is not JSON, so it cannot be read as " + type.Name);
            }
            return Json.ToType(parsed, type);
        }

        static object Get(Dictionary<string, object> map, string key)
        {
            var match = map.Keys.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase));
            return match == null ? null : map[match];
        }

        static byte[] BodyBytes(Dictionary<string, object> request)
        {
            var body = Get(request, "Body");
            if (body == null) return new byte[0];
            var text = body as string ?? Json.Write(body);
            return string.Equals(Get(request, "BodyEncoding") as string, "base64", StringComparison.OrdinalIgnoreCase)
                ? Convert.FromBase64String(text)
                : Encoding.UTF8.GetBytes(text);
        }

        static IEnumerable<KeyValuePair<string, string[]>> Headers(Dictionary<string, object> request)
        {
            var headers = Get(request, "Headers") as Dictionary<string, object>;
            if (headers == null) yield break;
            foreach (var h in headers)
            {
                var list = h.Value as List<object>;
                yield return new KeyValuePair<string, string[]>(h.Key, list != null ? list.Select(v => Convert.ToString(v)).ToArray() : new[] { Convert.ToString(h.Value) });
            }
        }

        public static HttpRequest ToHttpRequest(Dictionary<string, object> request, byte[] body)
        {
            var url = new Uri(Get(request, "Url") as string ?? "http://localhost/");
            var result = new HttpRequest
            {
                Method = Get(request, "Method") as string ?? "GET",
                Scheme = url.Scheme,
                Host = url.Authority,
                Path = new PathString(Uri.UnescapeDataString(url.AbsolutePath)),
                QueryString = new QueryString(url.Query),
                Body = new MemoryStream(body, false),
            };
            var query = (QueryCollection)result.Query;
            var values = Get(request, "Query") as Dictionary<string, object>;
            if (values != null)
                foreach (var q in values) query[q.Key] = new StringValues(Convert.ToString(q.Value));
            var headers = result.Headers;
            foreach (var h in Headers(request)) headers[h.Key] = new StringValues(h.Value);
            var routeParams = Get(request, "Params") as Dictionary<string, object>;
            if (routeParams != null)
                foreach (var p in routeParams) result.RouteValues[p.Key] = p.Value;
            return result;
        }

        // The isolated model's request; Identities is the caller's identity (Principal) when there is one.
        static HttpRequestData ToRequestData(Dictionary<string, object> request, byte[] body, FunctionContext context)
        {
            var result = new HttpRequestData(context)
            {
                Url = new Uri(Get(request, "Url") as string ?? "http://localhost/"),
                Method = Get(request, "Method") as string ?? "GET",
                Body = new MemoryStream(body, false),
            };
            foreach (var h in Headers(request)) result.Headers.Add(h.Key, h.Value);
            var values = Get(request, "Query") as Dictionary<string, object>;
            if (values != null)
                foreach (var q in values) result.Query.Add(q.Key, Convert.ToString(q.Value));
            var identity = Principal.FromRequest(request).Identities.Where(i => i.IsAuthenticated).ToArray();
            result.Identities = identity;
            return result;
        }

        static HttpRequestMessage ToRequestMessage(Dictionary<string, object> request, byte[] body)
        {
            var message = new HttpRequestMessage(new HttpMethod(Get(request, "Method") as string ?? "GET"), Get(request, "Url") as string ?? "http://localhost/");
            message.Content = new ByteArrayContent(body);
            foreach (var h in Headers(request))
                if (!message.Headers.TryAddWithoutValidation(h.Key, h.Value)) message.Content.Headers.TryAddWithoutValidation(h.Key, h.Value);
            return message;
        }
    }
}
