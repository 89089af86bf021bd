package io.callflow.sip;

import static io.callflow.sip.HostileSipMessagesTest.bytes;
import static io.callflow.sip.HostileSipMessagesTest.options;
import static io.callflow.sip.HostileSipMessagesTest.udpExchange;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A source that floods the SIP port is banned (its requests go unanswered), counted in the metrics, and served
 * again when the ban ends; another source is served throughout. The flood comes from 127.0.0.2, the bystander is
 * 127.0.0.3 (Linux answers the whole of 127.0.0.0/8 on loopback).
 */
class FloodProtectionTest extends RunningCallflow {

    @Autowired MeterRegistry meters;

    @Test
    void aFloodingSourceIsBannedOthersAreServedAndTheBanEnds() throws Exception {
        double bansBefore = meters.counter("callflow.sip.flood.bans").count();
        double droppedBefore = meters.counter("callflow.sip.flood.dropped").count();
        try (DatagramSocket flooder = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0));
                DatagramSocket bystander = new DatagramSocket(new InetSocketAddress("127.0.0.3", 0))) {
            InetAddress callflow = InetAddress.getByName("127.0.0.1");
            for (int i = 0; i < 3 * FLOOD_LIMIT; i++) {
                byte[] request = bytes(options("OPTIONS", flooder.getLocalPort(), "udp")
                        .replace("127.0.0.1:" + flooder.getLocalPort(), "127.0.0.2:" + flooder.getLocalPort()));
                flooder.send(new DatagramPacket(request, request.length, callflow, SIP_PORT));
            }
            int answered = answers(flooder);
            assertThat(answered).as("answers to %d requests", 3 * FLOOD_LIMIT)
                    .isBetween(FLOOD_LIMIT - 2, FLOOD_LIMIT + 5);
            assertThat(meters.counter("callflow.sip.flood.bans").count() - bansBefore).isEqualTo(1);
            assertThat(meters.counter("callflow.sip.flood.dropped").count() - droppedBefore)
                    .isGreaterThanOrEqualTo(3 * FLOOD_LIMIT - answered);
            assertThat(meters.get("callflow.sip.flood.banned").gauge().value()).isGreaterThanOrEqualTo(1);

            assertThat(udpExchange(bystander, bytes(options("OPTIONS", bystander.getLocalPort(), "udp")), 2000))
                    .as("another source meanwhile").startsWith("SIP/2.0 200 ");
            assertThat(udpExchange(flooder, bytes(options("OPTIONS", flooder.getLocalPort(), "udp")), 300))
                    .as("the banned source").isNull();

            // The ban is 2 s; then the same source is answered again.
            await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(500)).until(() -> udpExchange(flooder,
                    bytes(options("OPTIONS", flooder.getLocalPort(), "udp")), 300) != null);
        }
    }

    private static int answers(DatagramSocket socket) throws Exception {
        socket.setSoTimeout(700);
        byte[] buffer = new byte[65535];
        int answers = 0;
        try {
            while (true) {
                socket.receive(new DatagramPacket(buffer, buffer.length));
                answers++;
            }
        } catch (SocketTimeoutException e) {
            return answers;
        }
    }
}
