// The ExecutionContext of one invocation: its logger collects the lines into the answer's Logs (lines
// logged after the invocation ended go to the worker's stdout, which the host logs too).
package switchboard.worker;

import com.microsoft.azure.functions.ExecutionContext;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

final class InvocationContext implements ExecutionContext {
    private final String invocationId;
    private final String functionName;
    private final Logger logger;
    private final List<String> logs = new ArrayList<>();
    private boolean finished;

    InvocationContext(String functionName, String invocationId) {
        this.functionName = functionName;
        this.invocationId = invocationId;
        logger = Logger.getAnonymousLogger();
        logger.setUseParentHandlers(false);
        logger.addHandler(new Handler() {
            private final SimpleFormatter format = new SimpleFormatter();

            @Override
            public void publish(LogRecord record) {
                if (!isLoggable(record)) return;
                String text = format.formatMessage(record);
                if (record.getThrown() != null) text += " " + record.getThrown();
                if (record.getLevel() != Level.INFO) text = "[" + record.getLevel().getName().toLowerCase() + "] " + text;
                add(text);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        });
    }

    private synchronized void add(String line) {
        if (finished) System.out.println("Functions." + functionName + ": " + line);
        else logs.add(line);
    }

    /** The lines logged so far; later ones go to stdout. */
    synchronized List<String> finish() {
        finished = true;
        return new ArrayList<>(logs);
    }

    @Override
    public Logger getLogger() {
        return logger;
    }

    @Override
    public String getInvocationId() {
        return invocationId;
    }

    @Override
    public String getFunctionName() {
        return functionName;
    }
}
