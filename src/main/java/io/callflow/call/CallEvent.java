package io.callflow.call;

import java.time.Instant;

/** Something that happened to a call, published by the signalling or media layer, named in the past tense. */
public sealed interface CallEvent permits CallArrived, LegRinging, LegAnswered, LegHungUp, DigitsCollected, NoInput,
        AgentLegFailed, TransferRequested, MediaTimedOut, PlaybackFinished, AgentCallPlaced,
        LegHoldChanged, ReplacesTransferRequested, LegDigitPressed {

    CallId callId();

    Instant at();
}
