package io.callflow.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A real linphone console client ({@code linphonec} from the Debian package {@code linphone-cli}, tested with 5.1.65)
 * run headless as a registered phone on loopback, driven by commands on its standard input and watched through the
 * state lines it prints. Audio is in file mode ({@code soundcard use files}): it sends a WAV file and records what it
 * hears into another. Typing a digit during a call sends it as DTMF, by RFC 4733 or, with {@link #sipInfoDtmf()},
 * by SIP INFO. Use {@link #require()} first.
 *
 * <p>What this version needs to work headless, found by trying: the SIP port must be set by the {@code ports sip}
 * command (the {@code sip_port} of a fresh config is read as 0, leaving no UDP listening point); IPv6 must be off,
 * or it offers the host's IPv6 address in SDP; and the phone must register, because its SDP address is that of the
 * socket towards its proxy (without one it offers the address of the default route, not loopback); and it must not
 * wait for its network monitor to call the network "up", which never happens in a container; and it needs a writable
 * data directory, or its core never leaves the start-up state and refuses incoming calls with 503.
 */
public final class Linphone implements AutoCloseable {

    private final Process process;
    private final Path dir;
    private final OutputStream stdin;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private int consumed;

    private Linphone(Process process, Path dir) {
        this.process = process;
        this.dir = dir;
        this.stdin = process.getOutputStream();
        Thread reader = new Thread(this::readLines, "linphonec-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Fails (under CI) or skips (elsewhere) when linphonec is not installed. */
    public static void require() {
        ExternalTool.require("linphonec", "linphone-cli");
    }

    /**
     * Starts linphonec and registers {@code user} with {@code password} at Callflow on {@code 127.0.0.1:callflowPort},
     * sending {@code source} (an 8 kHz mono WAV) as its microphone and taking RTP ports from {@code rtpMin-rtpMax}.
     */
    public static Linphone start(String user, String password, int callflowPort, Path source, int rtpMin, int rtpMax)
            throws IOException {
        Path dir = Files.createTempDirectory("linphonec");
        Files.writeString(dir.resolve("linphonerc"), String.join("\n",
                "[sip]", "use_ipv6=0", "sip_tcp_port=0", "default_proxy=-1", "register_only_when_network_is_up=0",
                "register_only_when_upnp_is_ok=0",
                "[rtp]", "audio_rtp_port=" + rtpMin + "-" + rtpMax, "video_rtp_port=0",
                "[sound]", "echocancellation=0",
                "[video]", "capture=0", "display=0", ""));
        // A writable data directory (liblinphone's databases under $HOME/.local/share/linphone): without one the
        // core stays in its start-up state and answers every incoming INVITE with 503.
        Files.createDirectories(dir.resolve(".local/share/linphone"));
        ProcessBuilder command = new ProcessBuilder("linphonec", "-c", dir.resolve("linphonerc").toString(), "-S",
                "-d", "6", "-l", dir.resolve("linphone.log").toString())
                .directory(dir.toFile()).redirectErrorStream(true);
        command.environment().put("HOME", dir.toString());
        Process process = command.start();
        Linphone phone = new Linphone(process, dir);
        phone.command("ipv6 disable");
        phone.command("ports sip " + Sipp.freePort());
        phone.command("soundcard use files");
        phone.command("play " + source.toAbsolutePath());
        phone.command("record " + dir.resolve("heard.wav"));
        phone.command("register sip:" + user + "@127.0.0.1:" + callflowPort + " sip:127.0.0.1:" + callflowPort
                + " " + password);
        return phone;
    }

    /** Sends DTMF by SIP INFO ({@code application/dtmf-relay}) instead of RFC 4733 telephone-events. */
    public void sipInfoDtmf() throws IOException {
        command("param sip use_info 1");
        command("param sip use_rfc2833 0");
    }

    /** Calls {@code uri} through Callflow, e.g. {@code sip:401@127.0.0.1:5060}. */
    public void call(String uri) throws IOException {
        command("call " + uri);
    }

    /** Answers the ringing call. */
    public void answer() throws IOException {
        command("answer");
    }

    /** Hangs up the current call. */
    public void terminate() throws IOException {
        command("terminate");
    }

    /** Keys in DTMF digits during a call, {@code gap} apart. */
    public void pressKeys(String digits, Duration gap) throws IOException {
        for (char digit : digits.toCharArray()) {
            command(String.valueOf(digit));
            ExternalTool.pause(gap.toMillis());
        }
    }

    /**
     * Waits for the next output line not yet returned that matches {@code regex} (e.g. {@code Receiving new incoming
     * call}, {@code Call \d+ with .* connected}, {@code Media streams
     * established}, {@code Call \d+ with .* ended}) and returns it; fails with the output after {@code timeout}.
     */
    public String awaitLine(String regex, Duration timeout) {
        return nextLine(regex, timeout).orElseGet(() -> fail("linphonec never printed /" + regex + "/ within "
                + timeout + ":\n" + output()));
    }

    /**
     * Waits until the phone is registered, asking {@code status register} every 200 ms: linphonec 5.1 prints
     * nothing by itself when a registration succeeds.
     */
    public void awaitRegistered(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            command("status register");
            // "registered=-1" (or 0) until then, "registered, identity=... duration=..." once registered.
            if (nextLine("registered[=,]", Duration.ofSeconds(2)).filter(line -> line.contains("registered,"))
                    .isPresent()) {
                return;
            }
            ExternalTool.pause(200);
        }
        fail("linphonec did not register within " + timeout + ":\n" + output());
    }

    private Optional<String> nextLine(String regex, Duration timeout) {
        Pattern pattern = Pattern.compile(regex);
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (true) {
                for (int i = consumed; i < lines.size(); i++) {
                    if (pattern.matcher(lines.get(i)).find()) {
                        consumed = i + 1;
                        return Optional.of(lines.get(i));
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
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

    /** Everything linphonec printed so far. */
    public String output() {
        return String.join("\n", lines);
    }

    /** liblinphone's own log, SIP messages included. */
    public String sipLog() throws IOException {
        return Files.readString(dir.resolve("linphone.log"), StandardCharsets.ISO_8859_1);
    }

    /** What the phone heard (8 kHz mono WAV); complete once the call has ended. */
    public Path heard() {
        return dir.resolve("heard.wav");
    }

    /** Quits linphonec (it unregisters first), then makes sure it is gone. */
    @Override
    public void close() {
        ExternalTool.stop(process, () -> command("quit"), Duration.ofSeconds(5));
    }

    private void command(String line) throws IOException {
        synchronized (stdin) {
            stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        }
    }

    private void readLines() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                lines.add(line);
                synchronized (lock) {
                    lock.notifyAll();
                }
            }
        } catch (IOException closed) {
            // linphonec quit; its output ends here.
        }
    }
}
