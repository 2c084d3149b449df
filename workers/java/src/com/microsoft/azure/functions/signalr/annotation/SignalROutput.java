// Switchboard's Java worker library: the signalR output binding, on the method (name "$return": the
// returned SignalRMessage / SignalRGroupAction, or an array or list of them) or on an OutputBinding parameter.
package com.microsoft.azure.functions.signalr.annotation;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.METHOD})
public @interface SignalROutput {
    String name();

    String dataType() default "";

    String hubName() default "";

    String connectionStringSetting() default "";
}
