/** Camunda 7 call flows: deploying {@code processes/}, one process instance per call, thin task delegates. */
package io.callflow.flow;
