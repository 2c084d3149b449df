// The worker's JSON, written here rather than taken from Mono's class libraries: the invocation
// payload is read into Dictionary<string, object> / List<object> / string / long / double / bool /
// null, and values go back with camelCase member names and enums as camelCase strings, as the
// Functions extension's types serialize (Mono's JavaScriptSerializer keeps PascalCase names, and
// DataContractJsonSerializer needs contracts on every type). Also maps parsed JSON onto .NET types.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace Switchboard.Worker
{
    public static class Json
    {
        // ------------------------------------------------------------------ reading

        public static object Parse(string text)
        {
            int i = 0;
            object value = ReadValue(text, ref i);
            SkipSpace(text, ref i);
            if (i != text.Length) throw new FormatException("JSON: unexpected text at offset " + i);
            return value;
        }

        static void SkipSpace(string s, ref int i)
        {
            while (i < s.Length && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
        }

        static object ReadValue(string s, ref int i)
        {
            SkipSpace(s, ref i);
            if (i >= s.Length) throw new FormatException("JSON: unexpected end");
            char c = s[i];
            if (c == '{')
            {
                var obj = new Dictionary<string, object>();
                i++;
                SkipSpace(s, ref i);
                if (i < s.Length && s[i] == '}') { i++; return obj; }
                while (true)
                {
                    SkipSpace(s, ref i);
                    if (i >= s.Length || s[i] != '"') throw new FormatException("JSON: a member name expected at offset " + i);
                    string key = ReadString(s, ref i);
                    SkipSpace(s, ref i);
                    if (i >= s.Length || s[i] != ':') throw new FormatException("JSON: ':' expected at offset " + i);
                    i++;
                    obj[key] = ReadValue(s, ref i);
                    SkipSpace(s, ref i);
                    if (i < s.Length && s[i] == ',') { i++; continue; }
                    if (i < s.Length && s[i] == '}') { i++; return obj; }
                    throw new FormatException("JSON: ',' or '}' expected at offset " + i);
                }
            }
            if (c == '[')
            {
                var list = new List<object>();
                i++;
                SkipSpace(s, ref i);
                if (i < s.Length && s[i] == ']') { i++; return list; }
                while (true)
                {
                    list.Add(ReadValue(s, ref i));
                    SkipSpace(s, ref i);
                    if (i < s.Length && s[i] == ',') { i++; continue; }
                    if (i < s.Length && s[i] == ']') { i++; return list; }
                    throw new FormatException("JSON: ',' or ']' expected at offset " + i);
                }
            }
            if (c == '"') return ReadString(s, ref i);
            if (Word(s, ref i, "true")) return true;
            if (Word(s, ref i, "false")) return false;
            if (Word(s, ref i, "null")) return null;
            int start = i;
            if (s[i] == '-') i++;
            while (i < s.Length && (char.IsDigit(s[i]) || s[i] == '.' || s[i] == 'e' || s[i] == 'E' || s[i] == '+' || s[i] == '-')) i++;
            string number = s.Substring(start, i - start);
            long whole;
            if (long.TryParse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out whole)) return whole;
            double real;
            if (number.Length > 0 && double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out real)) return real;
            throw new FormatException("JSON: unexpected character at offset " + start);
        }

        static bool Word(string s, ref int i, string word)
        {
            if (string.CompareOrdinal(s, i, word, 0, word.Length) != 0) return false;
            i += word.Length;
            return true;
        }

        static string ReadString(string s, ref int i)
        {
            var text = new StringBuilder();
            i++;  // the opening quote
            while (i < s.Length)
            {
                char c = s[i++];
                if (c == '"') return text.ToString();
                if (c != '\\') { text.Append(c); continue; }
                if (i >= s.Length) break;
                char e = s[i++];
                switch (e)
                {
                    case '"': text.Append('"'); break;
                    case '\\': text.Append('\\'); break;
                    case '/': text.Append('/'); break;
                    case 'b': text.Append('\b'); break;
                    case 'f': text.Append('\f'); break;
                    case 'n': text.Append('\n'); break;
                    case 'r': text.Append('\r'); break;
                    case 't': text.Append('\t'); break;
                    case 'u':
                        if (i + 4 > s.Length) throw new FormatException("JSON: a short \\u escape");
                        text.Append((char)int.Parse(s.Substring(i, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                        i += 4;
                        break;
                    default: throw new FormatException("JSON: a bad escape at offset " + (i - 1));
                }
            }
            throw new FormatException("JSON: an unterminated string");
        }

        // ------------------------------------------------------------------ writing

        public static string Write(object value)
        {
            var text = new StringBuilder();
            WriteValue(text, value, 0);
            return text.ToString();
        }

        // "UserId" -> "userId", "URL" -> "url": the leading capitals lowered, as camel-casing does.
        public static string CamelCase(string name)
        {
            if (string.IsNullOrEmpty(name) || !char.IsUpper(name[0])) return name;
            var chars = name.ToCharArray();
            for (int i = 0; i < chars.Length && char.IsUpper(chars[i]); i++)
            {
                if (i > 0 && i + 1 < chars.Length && !char.IsUpper(chars[i + 1])) break;
                chars[i] = char.ToLowerInvariant(chars[i]);
            }
            return new string(chars);
        }

        static void WriteValue(StringBuilder text, object value, int depth)
        {
            if (depth > 64) throw new InvalidOperationException("JSON: the value is nested too deeply (a cycle?)");
            if (value == null || value is DBNull) { text.Append("null"); return; }
            var s = value as string;
            if (s != null) { WriteString(text, s); return; }
            if (value is bool) { text.Append((bool)value ? "true" : "false"); return; }
            if (value is char) { WriteString(text, value.ToString()); return; }
            if (value is Enum) { WriteString(text, CamelCase(value.ToString())); return; }
            if (value is double || value is float)
            {
                double d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (double.IsNaN(d) || double.IsInfinity(d)) { text.Append("null"); return; }
                text.Append(d.ToString("R", CultureInfo.InvariantCulture));
                return;
            }
            if (value is int || value is long || value is short || value is byte || value is sbyte ||
                value is uint || value is ulong || value is ushort || value is decimal)
            {
                text.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                return;
            }
            if (value is DateTime) { WriteString(text, ((DateTime)value).ToString("o", CultureInfo.InvariantCulture)); return; }
            if (value is DateTimeOffset) { WriteString(text, ((DateTimeOffset)value).ToString("o", CultureInfo.InvariantCulture)); return; }
            if (value is Guid || value is Uri || value is TimeSpan) { WriteString(text, value.ToString()); return; }
            var raw = value as RawJson;
            if (raw != null) { text.Append(raw.Text); return; }
            var dict = value as IDictionary;
            if (dict != null)
            {
                text.Append('{');
                bool first = true;
                foreach (DictionaryEntry entry in dict)
                {
                    if (!first) text.Append(',');
                    first = false;
                    WriteString(text, Convert.ToString(entry.Key, CultureInfo.InvariantCulture));
                    text.Append(':');
                    WriteValue(text, entry.Value, depth + 1);
                }
                text.Append('}');
                return;
            }
            var bytes = value as byte[];
            if (bytes != null) { WriteString(text, Convert.ToBase64String(bytes)); return; }
            var list = value as IEnumerable;
            if (list != null)
            {
                text.Append('[');
                bool first = true;
                foreach (object item in list)
                {
                    if (!first) text.Append(',');
                    first = false;
                    WriteValue(text, item, depth + 1);
                }
                text.Append(']');
                return;
            }
            // Any other object: its public readable properties, camelCase, nulls left out.
            text.Append('{');
            bool firstMember = true;
            foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (!property.CanRead || property.GetIndexParameters().Length > 0) continue;
                object member = property.GetValue(value, null);
                if (member == null) continue;
                if (!firstMember) text.Append(',');
                firstMember = false;
                WriteString(text, CamelCase(property.Name));
                text.Append(':');
                WriteValue(text, member, depth + 1);
            }
            foreach (var field in value.GetType().GetFields(BindingFlags.Public | BindingFlags.Instance))
            {
                object member = field.GetValue(value);
                if (member == null) continue;
                if (!firstMember) text.Append(',');
                firstMember = false;
                WriteString(text, CamelCase(field.Name));
                text.Append(':');
                WriteValue(text, member, depth + 1);
            }
            text.Append('}');
        }

        static void WriteString(StringBuilder text, string s)
        {
            text.Append('"');
            foreach (char c in s)
            {
                switch (c)
                {
                    case '"': text.Append("\\\""); break;
                    case '\\': text.Append("\\\\"); break;
                    case '\n': text.Append("\\n"); break;
                    case '\r': text.Append("\\r"); break;
                    case '\t': text.Append("\\t"); break;
                    default:
                        if (c < 0x20) text.Append("\\u").Append(((int)c).ToString("x4"));
                        else text.Append(c);
                        break;
                }
            }
            text.Append('"');
        }

        // ------------------------------------------------------------------ mapping onto types

        // A parsed JSON value as `type`: objects onto public settable properties (names ignoring
        // case), arrays onto arrays and lists, numbers and strings converted; object keeps it as parsed.
        public static object ToType(object value, Type type)
        {
            if (type == typeof(object)) return value;
            if (value == null) return type.IsValueType ? Activator.CreateInstance(type) : null;
            if (type.IsInstanceOfType(value) && !(value is Dictionary<string, object>) && !(value is List<object>)) return value;
            var underlying = Nullable.GetUnderlyingType(type);
            if (underlying != null) return ToType(value, underlying);
            if (type == typeof(string)) return value is string ? value : Write(value);
            if (type.IsEnum)
                return value is string ? Enum.Parse(type, (string)value, true) : Enum.ToObject(type, Convert.ToInt64(value, CultureInfo.InvariantCulture));
            if (type == typeof(Guid)) return new Guid(Convert.ToString(value, CultureInfo.InvariantCulture));
            if (type == typeof(DateTime)) return DateTime.Parse(Convert.ToString(value, CultureInfo.InvariantCulture), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
            if (type.IsPrimitive || type == typeof(decimal)) return Convert.ChangeType(value, type, CultureInfo.InvariantCulture);
            var list = value as List<object>;
            if (list != null)
            {
                if (type.IsArray)
                {
                    var element = type.GetElementType();
                    var array = Array.CreateInstance(element, list.Count);
                    for (int i = 0; i < list.Count; i++) array.SetValue(ToType(list[i], element), i);
                    return array;
                }
                if (type.IsGenericType && type.GetGenericArguments().Length == 1)
                {
                    var element = type.GetGenericArguments()[0];
                    var listType = typeof(List<>).MakeGenericType(element);
                    if (type.IsAssignableFrom(listType))
                    {
                        var typed = (IList)Activator.CreateInstance(listType);
                        foreach (var item in list) typed.Add(ToType(item, element));
                        return typed;
                    }
                }
                if (type.IsAssignableFrom(typeof(List<object>))) return list;
            }
            var obj = value as Dictionary<string, object>;
            if (obj != null)
            {
                if (type.IsAssignableFrom(typeof(Dictionary<string, object>))) return obj;
                var result = Activator.CreateInstance(type);
                foreach (var entry in obj)
                {
                    var property = type.GetProperty(entry.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
                    if (property != null && property.CanWrite) { property.SetValue(result, ToType(entry.Value, property.PropertyType), null); continue; }
                    var field = type.GetField(entry.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
                    if (field != null) field.SetValue(result, ToType(entry.Value, field.FieldType));
                }
                return result;
            }
            throw new InvalidCastException("cannot convert a JSON " + Describe(value) + " to " + type.FullName);
        }

        static string Describe(object value)
        {
            if (value is string) return "string";
            if (value is bool) return "boolean";
            if (value is long || value is double) return "number";
            if (value is List<object>) return "array";
            if (value is Dictionary<string, object>) return "object";
            return value.GetType().Name;
        }
    }

    // Text that is already JSON, written as it is.
    public sealed class RawJson
    {
        public RawJson(string text) { Text = text; }
        public string Text { get; private set; }
    }
}
