// Switchboard's Java worker library: an http output binding (on an OutputBinding parameter, or on the
// method for its return value, name "$return").
package com.microsoft.azure.functions.annotation;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.METHOD})
public @interface HttpOutput {
    String name();

    String dataType() default "";
}
