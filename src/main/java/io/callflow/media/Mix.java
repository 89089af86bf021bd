package io.callflow.media;

import java.util.concurrent.CopyOnWriteArrayList;

/** A named N-party mix (conference): its members and, per member, whether the others hear it. Owned by the ticker. */
final class Mix {

    final String id;
    final CopyOnWriteArrayList<Member> members = new CopyOnWriteArrayList<>();

    Mix(String id) {
        this.id = id;
    }

    /** A leg in the mix; {@code talks} false is a listener (e.g. a supervisor listening in). */
    record Member(RtpLeg leg, boolean talks) {
    }
}
