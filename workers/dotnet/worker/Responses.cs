// What an HTTP function returns, as the http output the host sends ({statusCode, headers, body,
// bodyEncoding}): action results (Microsoft.AspNetCore.Mvc), HttpResponseMessage, a string (text),
// bytes, or any other object (JSON, camelCase names, as ASP.NET Core writes it).
using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using Microsoft.AspNetCore.Mvc;

namespace Switchboard.Worker
{
    public static class Responses
    {
        const string JsonType = "application/json; charset=utf-8";
        const string TextType = "text/plain; charset=utf-8";

        public static object FromValue(object value)
        {
            if (value == null) return null;
            var content = value as ContentResult;
            if (content != null) return Make(content.StatusCode ?? 200, content.Content, content.ContentType ?? TextType);
            var json = value as JsonResult;
            if (json != null) return Make(json.StatusCode ?? 200, Json.Write(json.Value), json.ContentType ?? JsonType);
            var obj = value as ObjectResult;
            if (obj != null) return Body(obj.StatusCode ?? 200, obj.Value);
            var status = value as StatusCodeResult;
            if (status != null) return new Dictionary<string, object> { { "statusCode", status.StatusCode }, { "body", null } };
            var data = value as Microsoft.Azure.Functions.Worker.Http.HttpResponseData;
            if (data != null) return FromResponseData(data);
            var message = value as HttpResponseMessage;
            if (message != null) return FromMessage(message);
            return Body(200, value);
        }

        static Dictionary<string, object> Body(int status, object value)
        {
            if (value == null) return new Dictionary<string, object> { { "statusCode", status }, { "body", null } };
            var text = value as string;
            if (text != null) return Make(status, text, TextType);
            var bytes = value as byte[];
            if (bytes != null)
            {
                var r = Make(status, Convert.ToBase64String(bytes), "application/octet-stream");
                r["bodyEncoding"] = "base64";
                return r;
            }
            return Make(status, Json.Write(value), JsonType);
        }

        static Dictionary<string, object> Make(int status, string body, string contentType)
        {
            return new Dictionary<string, object>
            {
                { "statusCode", status },
                { "headers", new Dictionary<string, object> { { "Content-Type", contentType } } },
                { "body", body },
            };
        }

        static Dictionary<string, object> FromResponseData(Microsoft.Azure.Functions.Worker.Http.HttpResponseData response)
        {
            var headers = new Dictionary<string, object>();
            foreach (var h in response.Headers) headers[h.Key] = h.Value.ToList();
            byte[] bytes;
            var memory = response.Body as System.IO.MemoryStream;
            if (memory != null) bytes = memory.ToArray();
            else
            {
                var copy = new System.IO.MemoryStream();
                if (response.Body.CanSeek) response.Body.Position = 0;
                response.Body.CopyTo(copy);
                bytes = copy.ToArray();
            }
            var result = new Dictionary<string, object> { { "statusCode", (int)response.StatusCode }, { "headers", headers }, { "body", null } };
            if (bytes.Length > 0)
            {
                result["body"] = Convert.ToBase64String(bytes);
                result["bodyEncoding"] = "base64";
            }
            return result;
        }

        static Dictionary<string, object> FromMessage(HttpResponseMessage message)
        {
            var headers = new Dictionary<string, object>();
            foreach (var h in message.Headers) headers[h.Key] = h.Value.ToList();
            var result = new Dictionary<string, object> { { "statusCode", (int)message.StatusCode }, { "headers", headers } };
            if (message.Content == null)
            {
                result["body"] = null;
                return result;
            }
            foreach (var h in message.Content.Headers) headers[h.Key] = h.Value.ToList();
            var bytes = message.Content.ReadAsByteArrayAsync().Result;
            result["body"] = Convert.ToBase64String(bytes);
            result["bodyEncoding"] = "base64";
            return result;
        }
    }
}
