package io.callflow.media;

import org.springframework.context.ApplicationContext;

/** What the media engine holds right now (open RTP legs, ports taken from the pool), for leak checks outside tests. */
public final class MediaUse {

    private MediaUse() {
    }

    public static int openLegs(ApplicationContext app) {
        return app.getBean(NettyMediaEngine.class).openLegs();
    }

    public static int portsInUse(ApplicationContext app) {
        return app.getBean(NettyMediaEngine.class).portsInUse();
    }
}
