package io.callflow.media;

/**
 * The SRTP of one leg: what it sends is protected with our key, what it receives unprotected with the remote's (SDES
 * keys are per direction, RFC 4568 section 6.1). Used only on the leg's event loop.
 */
final class LegSrtp {

    final SdesCrypto ours;
    final SdesCrypto theirs;
    final SrtpContext outbound;
    final SrtpContext inbound;

    LegSrtp(SdesCrypto ours, SdesCrypto theirs) {
        this(ours, theirs, ours.context(), theirs.context());
    }

    private LegSrtp(SdesCrypto ours, SdesCrypto theirs, SrtpContext outbound, SrtpContext inbound) {
        this.ours = ours;
        this.theirs = theirs;
        this.outbound = outbound;
        this.inbound = inbound;
    }

    /**
     * After a new offer on the leg (re-INVITE): our stream carries on with its key and rollover counter, theirs starts
     * afresh only if they changed their key (RFC 4568 section 7.1.4). Our attribute answers with their new tag.
     */
    LegSrtp rekeyed(SdesCrypto offered) {
        SdesCrypto answer = new SdesCrypto(offered.tag(), ours.suite(), ours.key(), ours.salt());
        boolean same = java.util.Arrays.equals(offered.key(), theirs.key())
                && java.util.Arrays.equals(offered.salt(), theirs.salt()) && offered.suite() == theirs.suite();
        return new LegSrtp(answer, offered, outbound, same ? inbound : offered.context());
    }
}
