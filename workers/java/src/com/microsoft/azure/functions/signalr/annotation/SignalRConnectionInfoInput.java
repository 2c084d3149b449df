// Switchboard's Java worker library: the signalRConnectionInfo input binding of a parameter.
package com.microsoft.azure.functions.signalr.annotation;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface SignalRConnectionInfoInput {
    String name();

    String dataType() default "";

    String hubName() default "";

    String userId() default "";

    String idToken() default "";

    String[] claimTypeList() default {};

    String connectionStringSetting() default "";
}
