package io.callflow.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A real baresip (Debian package {@code baresip-core}, tested with 1.0.0) run headless as a phone on loopback: configured
 * from a fresh directory ({@code baresip -f}), driven through its {@code ctrl_tcp} module (JSON commands and events in
 * netstrings), DTMF keyed in through the {@code cons} module (UDP key presses; a digit followed by the key-release
 * code, so the RFC 4733 event gets its end packets), audio sent from a WAV file ({@code aufile} source) and what the
 * phone sent and heard dumped to WAV files by the {@code sndfile} filter. Use {@link #require()} first.
 */
public final class Baresip implements AutoCloseable {

    /** baresip's key-release code (ui.h {@code KEYCODE_REL}): ends the DTMF event the key press started. */
    private static final char KEY_RELEASE = 0x04;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path dir;
    private final int consPort;
    private final int sipPort;
    private final Socket control;
    private final List<JsonNode> events = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> consumed = new ConcurrentHashMap<>();
    private final Object lock = new Object();

    private Baresip(Process process, Path dir, int sipPort, int consPort, Socket control) {
        this.process = process;
        this.dir = dir;
        this.sipPort = sipPort;
        this.consPort = consPort;
        this.control = control;
        Thread reader = new Thread(this::readEvents, "baresip-events-" + sipPort);
        reader.setDaemon(true);
        reader.start();
    }

    /** Fails (under CI) or skips (elsewhere) when baresip is not installed. */
    public static void require() {
        ExternalTool.require("baresip", "baresip-core");
    }

    /** A phone that registers {@code user} with {@code password} at Callflow on {@code 127.0.0.1:sipPort}. */
    public static Builder agent(String user, String password, int callflowPort) {
        return new Builder("<sip:" + user + "@127.0.0.1:" + callflowPort + ";transport=udp>;auth_pass=" + password
                + ";regint=60");
    }

    /** A phone that does not register: a caller on a trunk (calls from its address are trusted by address). */
    public static Builder caller() {
        return new Builder("<sip:caller@127.0.0.1>;regint=0");
    }

    /** How a baresip is set up before it starts; {@link #start()} writes the files and runs it. */
    public static final class Builder {
        private String account;
        private int rtpMin = 41500;
        private int rtpMax = 41999;
        private Path source;
        private String answerMode = "manual";
        private final List<String> configLines = new ArrayList<>();
        private boolean sipTrace;

        private Builder(String account) {
            this.account = account;
        }

        /** The RTP/RTCP port range the phone takes its ports from. */
        public Builder rtpPorts(int min, int max) {
            this.rtpMin = min;
            this.rtpMax = max;
            return this;
        }

        /** A WAV file (8 kHz, mono, 16-bit) the phone sends as its microphone; silence without one. */
        public Builder source(Path wav) {
            this.source = wav;
            return this;
        }

        /** {@code manual} (default: {@link Baresip#accept()} answers) or {@code auto} (answers at once). */
        public Builder answerMode(String mode) {
            this.answerMode = mode;
            return this;
        }

        /**
         * Registers over {@code transport} (e.g. {@code tls}) to Callflow's port for it, instead of UDP; over TLS the
         * phone must trust Callflow's certificate ({@code configLine("sip_cafile ...")}).
         */
        public Builder transport(String transport, int callflowPort) {
            this.account = account.replaceFirst("@127\\.0\\.0\\.1:\\d+;transport=udp>",
                    "@127.0.0.1:" + callflowPort + ";transport=" + transport + ">");
            return this;
        }

        /** Appends {@code ;param} to the account line, e.g. {@code mediaenc=srtp-mand} or {@code auth_user=1001}. */
        public Builder accountParam(String param) {
            this.account += ";" + param;
            return this;
        }

        /** Appends a line to the config file, e.g. {@code sip_certificate /tmp/cert.pem} or {@code module srtp.so}. */
        public Builder configLine(String line) {
            configLines.add(line);
            return this;
        }

        /** Logs every SIP message the phone sends and receives ({@code baresip -s}) into its log. */
        public Builder sipTrace() {
            this.sipTrace = true;
            return this;
        }

        public Baresip start() throws IOException {
            Path dir = Files.createTempDirectory("baresip");
            int sipPort = Sipp.freePort();
            int controlPort = freeTcpPort();
            int consPort = Sipp.freePort();
            Path player = dir.resolve("speaker.raw");
            String config = String.join("\n",
                    "poll_method epoll",
                    "sip_listen 127.0.0.1:" + sipPort,
                    "net_interface 127.0.0.1",
                    "call_local_timeout 120",
                    "call_max_calls 4",
                    "audio_source aufile," + (source == null ? Tones.silence(30) : source).toAbsolutePath(),
                    // aufile cannot play in 1.0: a player that never opens keeps baresip off the sound card, and
                    // the sndfile filter records what the phone hears.
                    "audio_player aufile," + player,
                    "audio_alert aufile," + player,
                    "rtp_ports " + rtpMin + "-" + rtpMax,
                    "rtcp_mux no",
                    "jitter_buffer_delay 1-5",
                    "module_path /usr/lib/baresip/modules",
                    "module g711.so",
                    "module aufile.so",
                    "module sndfile.so",
                    "module cons.so",
                    "module_tmp account.so",
                    "module_app menu.so",
                    "module_app ctrl_tcp.so",
                    "ctrl_tcp_listen 127.0.0.1:" + controlPort,
                    "cons_listen 127.0.0.1:" + consPort,
                    "snd_path " + dir,
                    String.join("\n", configLines), "");
            Files.writeString(dir.resolve("config"), config);
            // No account at start: it is added through the control connection once that is open, or its
            // REGISTER_OK (sent within milliseconds on loopback) would be gone before anyone listens.
            Files.writeString(dir.resolve("accounts"), "");
            List<String> command = new ArrayList<>(List.of("baresip", "-f", dir.toString()));
            if (sipTrace) {
                command.add("-s");
            }
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("baresip.log").toFile()).start();
            Baresip phone = new Baresip(process, dir, sipPort, consPort, connect(process, dir, controlPort));
            phone.command("uanew", account + ";answermode=" + answerMode);
            return phone;
        }

        private static Socket connect(Process process, Path dir, int port) throws IOException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                try {
                    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
                    if (socket.getLocalPort() != port) {
                        return socket;
                    }
                    // TCP simultaneous open: connecting to a free port from the same port connects to itself.
                    socket.close();
                    throw new IOException("connected to itself");
                } catch (IOException notYet) {
                    if (!process.isAlive() || System.nanoTime() > deadline) {
                        process.destroyForcibly();
                        throw new IOException("baresip did not open its control port " + port + ":\n"
                                + Files.readString(dir.resolve("baresip.log")), notYet);
                    }
                    ExternalTool.pause(50);
                }
            }
        }
    }

    /** The phone's own SIP port on 127.0.0.1. */
    public int sipPort() {
        return sipPort;
    }

    /** Calls {@code uri}, e.g. {@code sip:300@127.0.0.1:5060}. */
    public void dial(String uri) throws IOException {
        command("dial", uri);
    }

    /** Answers the ringing call. */
    public void accept() throws IOException {
        command("accept", null);
    }

    /** Hangs up the current call. */
    public void hangUp() throws IOException {
        command("hangup", null);
    }

    /**
     * Keys in DTMF digits during a call as a person would, one press and release each, {@code gap} apart. baresip
     * 1.0 sends them as RFC 4733 telephone-events (it has no SIP INFO sending).
     */
    public void pressKeys(String digits, Duration gap) throws IOException {
        try (DatagramSocket socket = new DatagramSocket()) {
            for (char digit : digits.toCharArray()) {
                byte[] press = {(byte) digit};
                socket.send(new DatagramPacket(press, 1, InetAddress.getLoopbackAddress(), consPort));
                ExternalTool.pause(120);
                byte[] release = {(byte) KEY_RELEASE};
                socket.send(new DatagramPacket(release, 1, InetAddress.getLoopbackAddress(), consPort));
                ExternalTool.pause(gap.toMillis());
            }
        }
    }

    /**
     * Waits for the next ctrl_tcp event of {@code type} not yet returned by an earlier call (e.g. {@code REGISTER_OK},
     * {@code REGISTER_FAIL}, {@code CALL_INCOMING}, {@code CALL_RINGING}, {@code CALL_ESTABLISHED},
     * {@code CALL_CLOSED}, {@code CALL_DTMF_START}) and returns it; fails with the phone's log after {@code timeout}.
     */
    public JsonNode awaitEvent(String type, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (true) {
                int seen = consumed.getOrDefault(type, 0);
                List<JsonNode> matching = events.stream().filter(e -> type.equals(e.path("type").asText())).toList();
                if (matching.size() > seen) {
                    consumed.put(type, seen + 1);
                    return matching.get(seen);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail("baresip never reported " + type + " within " + timeout + "; events: "
                            + events.stream().map(e -> e.path("type").asText()).toList() + "\n" + log());
                }
                try {
                    lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /** Every ctrl_tcp event so far, in order. */
    public List<JsonNode> events() {
        return List.copyOf(events);
    }

    /** What the phone heard in its last call (decoded audio, 8 kHz mono WAV); complete once the call has closed. */
    public Path heard() {
        return dump("-dec.wav");
    }

    /** What the phone sent in its last call (before encoding, 8 kHz mono WAV); complete once the call has closed. */
    public Path sent() {
        return dump("-enc.wav");
    }

    private Path dump(String suffix) {
        try (Stream<Path> files = Files.list(dir)) {
            Optional<Path> newest = files.filter(f -> f.getFileName().toString().endsWith(suffix))
                    .max(Comparator.comparing(f -> f.toFile().lastModified()));
            return newest.orElseThrow(() -> new AssertionError("baresip wrote no *" + suffix + " in " + dir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The phone's console output (with SIP messages if started with {@link Builder#sipTrace()}). */
    public String log() {
        try {
            return Files.readString(dir.resolve("baresip.log"), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Asks baresip to quit (it unregisters first), then makes sure it is gone. */
    @Override
    public void close() throws IOException {
        try {
            ExternalTool.stop(process, () -> command("quit", null), Duration.ofSeconds(3));
        } finally {
            control.close();
        }
    }

    private void command(String command, String params) throws IOException {
        Map<String, String> body = params == null ? Map.of("command", command, "token", command)
                : Map.of("command", command, "params", params, "token", command);
        byte[] json = JSON.writeValueAsBytes(body);
        OutputStream out = control.getOutputStream();
        synchronized (control) {
            out.write((json.length + ":").getBytes(StandardCharsets.US_ASCII));
            out.write(json);
            out.write(',');
            out.flush();
        }
    }

    /** Reads netstrings ({@code length:json,}) from the control connection until it closes. */
    private void readEvents() {
        try (InputStream in = control.getInputStream()) {
            while (true) {
                int length = 0;
                int c;
                while ((c = in.read()) != ':') {
                    if (c < 0) {
                        return;
                    }
                    length = length * 10 + (c - '0');
                }
                byte[] body = in.readNBytes(length);
                in.read();
                JsonNode message = JSON.readTree(body);
                if (message.path("event").asBoolean()) {
                    events.add(message);
                    synchronized (lock) {
                        lock.notifyAll();
                    }
                }
            }
        } catch (IOException closed) {
            // The phone quit; its events end here.
        }
    }

    private static int freeTcpPort() throws IOException {
        try (var socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

}
