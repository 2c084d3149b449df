// Switchboard's Java worker library: a parameter taking a value of the trigger's binding data
// (a route parameter, then a query parameter, then a property of a JSON body).
package com.microsoft.azure.functions.annotation;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface BindingName {
    String value();
}
