// The caller's identity as a ClaimsPrincipal, from the x-ms-client-principal header the functions host
// sets after checking a Bearer token (base64 JSON: auth_typ, name_typ, role_typ, claims [{typ, val}]),
// as App Service Authentication hands it to the in-process model. The principal's id
// (x-ms-client-principal-id) is its NameIdentifier claim when the claims carry none. Without the
// header: an empty principal (no identity claims), as in Azure.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Claims;
using System.Text;

namespace Switchboard.Worker
{
    public static class Principal
    {
        public static ClaimsPrincipal FromRequest(Dictionary<string, object> request)
        {
            string encoded = Header(request, "x-ms-client-principal");
            if (string.IsNullOrEmpty(encoded)) return new ClaimsPrincipal(new ClaimsIdentity());
            Dictionary<string, object> doc;
            try
            {
                doc = Json.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(encoded))) as Dictionary<string, object>;
            }
            catch (FormatException)
            {
                doc = null;
            }
            if (doc == null) return new ClaimsPrincipal(new ClaimsIdentity());
            var claims = new List<Claim>();
            var list = Get(doc, "claims") as List<object>;
            if (list != null)
                foreach (var item in list.OfType<Dictionary<string, object>>())
                {
                    var type = Get(item, "typ") as string;
                    var value = Get(item, "val");
                    if (type != null && value != null) claims.Add(new Claim(type, Convert.ToString(value)));
                }
            string id = Header(request, "x-ms-client-principal-id");
            if (!string.IsNullOrEmpty(id) && !claims.Any(c => c.Type == ClaimTypes.NameIdentifier))
                claims.Add(new Claim(ClaimTypes.NameIdentifier, id));
            var identity = new ClaimsIdentity(claims, Get(doc, "auth_typ") as string ?? "Bearer",
                                              Get(doc, "name_typ") as string ?? ClaimTypes.Name, Get(doc, "role_typ") as string ?? ClaimTypes.Role);
            return new ClaimsPrincipal(identity);
        }

        static object Get(Dictionary<string, object> map, string key)
        {
            object value;
            return map.TryGetValue(key, out value) ? value : null;
        }

        static string Header(Dictionary<string, object> request, string name)
        {
            if (request == null) return null;
            var headers = request.FirstOrDefault(p => string.Equals(p.Key, "Headers", StringComparison.OrdinalIgnoreCase)).Value as Dictionary<string, object>;
            if (headers == null) return null;
            var match = headers.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase));
            var values = match.Value as List<object>;
            return values != null ? values.Select(Convert.ToString).FirstOrDefault() : match.Value as string;
        }
    }
}
