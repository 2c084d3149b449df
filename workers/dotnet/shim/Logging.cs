// Microsoft.Extensions.Logging as function code uses it: an ILogger parameter and the
// LogInformation-style extension methods with message templates ("Hello {Name}", args in order).
using System;
using System.Text;

namespace Microsoft.Extensions.Logging
{
    public enum LogLevel
    {
        Trace = 0,
        Debug = 1,
        Information = 2,
        Warning = 3,
        Error = 4,
        Critical = 5,
        None = 6,
    }

    public interface ILogger
    {
        void Log(LogLevel level, Exception exception, string message);
        bool IsEnabled(LogLevel level);
    }

    public static class LoggerExtensions
    {
        public static void Log(this ILogger logger, LogLevel level, string message, params object[] args) { Write(logger, level, null, message, args); }
        public static void Log(this ILogger logger, LogLevel level, Exception exception, string message, params object[] args) { Write(logger, level, exception, message, args); }
        public static void LogTrace(this ILogger logger, string message, params object[] args) { Write(logger, LogLevel.Trace, null, message, args); }
        public static void LogDebug(this ILogger logger, string message, params object[] args) { Write(logger, LogLevel.Debug, null, message, args); }
        public static void LogInformation(this ILogger logger, string message, params object[] args) { Write(logger, LogLevel.Information, null, message, args); }
        public static void LogWarning(this ILogger logger, string message, params object[] args) { Write(logger, LogLevel.Warning, null, message, args); }
        public static void LogError(this ILogger logger, string message, params object[] args) { Write(logger, LogLevel.Error, null, message, args); }
        public static void LogError(this ILogger logger, Exception exception, string message, params object[] args) { Write(logger, LogLevel.Error, exception, message, args); }
        public static void LogCritical(this ILogger logger, string message, params object[] args) { Write(logger, LogLevel.Critical, null, message, args); }
        public static void LogCritical(this ILogger logger, Exception exception, string message, params object[] args) { Write(logger, LogLevel.Critical, exception, message, args); }

        static void Write(ILogger logger, LogLevel level, Exception exception, string template, object[] args)
        {
            if (logger == null || !logger.IsEnabled(level)) return;
            logger.Log(level, exception, FormatTemplate(template, args));
        }

        // "{Name}" and "{0}" placeholders take the arguments in order; "{{" and "}}" are braces.
        public static string FormatTemplate(string template, object[] args)
        {
            if (template == null) return "";
            if (args == null || args.Length == 0) return template;
            var text = new StringBuilder();
            int next = 0;
            for (int i = 0; i < template.Length; i++)
            {
                char c = template[i];
                if (c == '{' && i + 1 < template.Length && template[i + 1] == '{') { text.Append('{'); i++; continue; }
                if (c == '}' && i + 1 < template.Length && template[i + 1] == '}') { text.Append('}'); i++; continue; }
                int end = c == '{' ? template.IndexOf('}', i) : -1;
                if (end < 0) { text.Append(c); continue; }
                text.Append(next < args.Length ? Convert.ToString(args[next], System.Globalization.CultureInfo.InvariantCulture) : template.Substring(i, end - i + 1));
                next++;
                i = end;
            }
            return text.ToString();
        }
    }
}
