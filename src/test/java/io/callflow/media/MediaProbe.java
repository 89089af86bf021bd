package io.callflow.media;

/** Test access to the media engine's open legs and RTP ports, for leak checks from other modules' tests. */
public final class MediaProbe {

    private MediaProbe() {
    }

    public static int openLegs(MediaEndpoints media) {
        return ((NettyMediaEngine) media).openLegs();
    }

    public static int portsInUse(MediaEndpoints media) {
        return ((NettyMediaEngine) media).portsInUse();
    }
}
