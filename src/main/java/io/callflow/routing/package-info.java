/** Drools routing: the rule base compiled from {@code rules/}, facts and decisions as records. */
package io.callflow.routing;
