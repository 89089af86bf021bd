package io.callflow.media;

import java.util.concurrent.CopyOnWriteArrayList;

import io.callflow.call.LegId;
import io.callflow.call.MixRole;

/** A named N-party mix (conference): its members and, per member, its role (who hears it). Owned by the ticker. */
final class Mix {

    final String id;
    final CopyOnWriteArrayList<Member> members = new CopyOnWriteArrayList<>();

    Mix(String id) {
        this.id = id;
    }

    /** A leg in the mix, its role, and for a {@link MixRole#WHISPERER} the one leg that hears it. */
    record Member(RtpLeg leg, MixRole role, LegId whisperTo) {

        /** Whether every other member hears this one. */
        boolean heardByAll() {
            return role == MixRole.PARTICIPANT;
        }
    }
}
