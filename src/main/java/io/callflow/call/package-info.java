/**
 * The telephony-neutral call model: call and leg ids, the {@link io.callflow.call.CallControl} port and the call
 * events every other module speaks in.
 */
package io.callflow.call;
