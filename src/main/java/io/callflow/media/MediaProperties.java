package io.callflow.media;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * RTP settings: the address to bind and the one to put into SDP, the even port range for RTP (RTCP uses the odd
 * port beside each), how long a leg may stay silent at the packet level before it counts as dead, in-band DTMF
 * detection, the recording format and directory (null: {@code <data-dir>/recordings}), and the RTP event loop
 * threads (0: one per core) and whether to use the native epoll transport where it is available.
 */
@ConfigurationProperties("callflow.media")
public record MediaProperties(
        @DefaultValue("0.0.0.0") String bindAddress,
        @DefaultValue("127.0.0.1") String advertisedAddress,
        @DefaultValue("10000") int rtpPortMin,
        @DefaultValue("10999") int rtpPortMax,
        @DefaultValue("30s") Duration mediaTimeout,
        @DefaultValue("auto") InbandDtmf inbandDtmf,
        @DefaultValue("stereo") RecordingChannels recordingChannels,
        Path recordingsDir,
        @DefaultValue("0") int eventLoopThreads,
        @DefaultValue("true") boolean nativeTransport) {
}
