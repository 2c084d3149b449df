// Switchboard's Java worker library: what a function may ask about its invocation. Lines logged
// through getLogger() appear in the host log with the invocation.
package com.microsoft.azure.functions;

import java.util.logging.Logger;

public interface ExecutionContext {
    Logger getLogger();

    String getInvocationId();

    String getFunctionName();
}
