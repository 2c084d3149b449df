// Switchboard's Java worker library: a parameter through which a function sets an output binding's value.
package com.microsoft.azure.functions;

public interface OutputBinding<T> {
    T getValue();

    void setValue(T value);
}
