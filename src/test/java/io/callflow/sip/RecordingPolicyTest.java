package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;

import io.callflow.flow.RecordingRetention;
import io.callflow.media.RecordingFiles;
import io.callflow.support.Baresip;
import io.callflow.support.TestContent;
import io.callflow.support.Tones;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Recording policy and compliance with real phones (baresip), the caller sending a 500 Hz tone and the agent 1100 Hz,
 * recordings encrypted at rest: the agent's feature codes pause and resume the recording and the downloaded file has
 * exact silence for the paused span; the file on disk is no WAV and downloads decrypted, audited; retention deletes
 * it; a queue that never records has no file and refuses a start; a consent announcement plays to the caller before
 * the agent is connected and the recording starts.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecordingPolicyTest {

    static final String PROVISIONING = """
            agents:
              - { id: alice, sipUser: "1001", password: alice-1001 }
            queues:
              - { name: rec-always, recording: { policy: always, retentionDays: 1 } }
              - { name: rec-never, recording: { policy: never } }
              - { name: rec-consent, recording: { policy: always, consent: true } }
            dids:
              - { did: "501", flow: rec-always }
              - { did: "502", flow: rec-never }
              - { did: "503", flow: rec-consent }
            """;
    static final TestContent CONTENT = TestContent.create()
            .with("rules/business-hours.drl", "package io.callflow.rules\n")
            .with("provisioning.yml", PROVISIONING)
            .with("processes/rec-always.bpmn", SipTestFlows.recordedAgentCall("rec-always", "rec-always"))
            .with("processes/rec-never.bpmn", SipTestFlows.recordedAgentCall("rec-never", "rec-never"))
            .with("processes/rec-consent.bpmn", SipTestFlows.recordedAgentCall("rec-consent", "rec-consent"));
    static final int SIP_PORT = RunningCallflow.freePort();
    static final Duration SIGNALLING = Duration.ofSeconds(15);
    static final double CALLER = 500;
    static final double AGENT = 1100;
    /** 100 ms of 16-bit stereo. */
    static final int WINDOW_FRAMES = 800;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        // This feature's RTP range: Callflow 45000-45199, the phones 45200-45499.
        CONTENT.registerLoopbackCallflow(registry, SIP_PORT, 45000, 45199);
        registry.add("callflow.recordings.encryption-key",
                () -> Base64.getEncoder().encodeToString("recording-policy-test-key-32byte".getBytes()));
        registry.add("callflow.recordings.encryption-key-id", () -> "test-1");
    }

    static Path callerTone;
    static Path agentTone;

    @Autowired TestRestTemplate http;
    @Autowired JdbcTemplate jdbc;
    @Autowired RecordingFiles files;
    @Autowired RecordingRetention retention;
    @Autowired IdentityService identityService;

    @BeforeAll
    void setUp() throws Exception {
        Baresip.require();
        callerTone = Tones.wav(CALLER, 60);
        agentTone = Tones.wav(AGENT, 60);
        User boss = identityService.newUser("boss");
        boss.setPassword("boss-password");
        identityService.saveUser(boss);
        identityService.createMembership("boss", "callflow-supervisor");
    }

    @Test
    void featureCodesPauseTheEncryptedRecordingWithSilenceItDownloadsDecryptedAuditedAndRetentionDeletesIt()
            throws Exception {
        String callId;
        try (Phones phones = Phones.start()) {
            callId = connect(phones, "501");
            await().atMost(SIGNALLING).until(() -> recorded(callId));
            Thread.sleep(2000); // tone into the recording before the pause
            phones.agent().pressKeys("*1", Duration.ofMillis(200));
            await().atMost(SIGNALLING).until(() -> pauses(callId, "resumed_at is null") == 1);
            Thread.sleep(3000); // the paused span
            phones.agent().pressKeys("*2", Duration.ofMillis(200));
            await().atMost(SIGNALLING).until(() -> pauses(callId, "resumed_at is not null") == 1);
            Thread.sleep(2000); // tone again after it
            phones.agent().hangUp();
            phones.caller().awaitEvent("CALL_CLOSED", SIGNALLING);
        }
        await().atMost(SIGNALLING).until(() -> ended(callId));

        Path onDisk = files.of(callId).orElseThrow();
        byte[] start = Arrays.copyOf(Files.readAllBytes(onDisk), 8);
        assertThat(new String(start, 0, 4)).as("encrypted at rest").isNotEqualTo("RIFF");
        assertThat(new String(start, 0, 5)).isEqualTo("CFREC");

        ResponseEntity<byte[]> download = await().atMost(SIGNALLING).until(() -> get("/api/v1/calls/" + callId
                + "/recording", byte[].class), response -> response.getStatusCode() == HttpStatus.OK);
        byte[] wav = download.getBody();
        assertThat(new String(wav, 0, 4)).isEqualTo("RIFF");
        assertThat(download.getHeaders().getContentLength()).isEqualTo(wav.length);
        assertThat(ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN).getInt(40)).isEqualTo(wav.length - 44);

        // The silence: 100 ms windows where both channels are exactly zero, one run as long as the paused span.
        double[][] rms = windows(wav);
        int[] run = longestSilence(rms);
        Timestamp pausedAt = jdbc.queryForObject("select paused_at from recording_pause where call_id = ?",
                Timestamp.class, callId);
        Timestamp resumedAt = jdbc.queryForObject("select resumed_at from recording_pause where call_id = ?",
                Timestamp.class, callId);
        double pausedSeconds = Duration.between(pausedAt.toInstant(), resumedAt.toInstant()).toMillis() / 1000.0;
        double silentSeconds = run[1] / 10.0;
        System.out.printf("recording.pause paused_s=%.2f silent_s=%.1f recording_s=%.1f%n", pausedSeconds,
                silentSeconds, rms.length / 10.0);
        assertThat(pausedSeconds).isGreaterThan(2.5);
        assertThat(silentSeconds).as("silence %s s for a pause of %s s", silentSeconds, pausedSeconds)
                .isBetween(pausedSeconds - 1.0, pausedSeconds + 1.0);
        assertThat(loud(rms, 0, run[0])).as("caller's tone before the pause").isGreaterThanOrEqualTo(10);
        assertThat(loud(rms, run[0] + run[1], rms.length)).as("caller's tone after it").isGreaterThanOrEqualTo(10);

        String timeline = get("/api/v1/calls/" + callId + "/timeline", String.class).getBody();
        assertThat(timeline).contains("RECORDING_STARTED").contains("RECORDING_PAUSED").contains("feature code *1")
                .contains("feature code *2");
        assertThat(jdbc.queryForObject("select count(*) from audit_log where action = 'recording.download'"
                + " and actor = 'boss' and target = ? and at is not null", Integer.class, callId)).isPositive();

        // Retention: the queue keeps recordings one day; this one is made two days old.
        jdbc.update("update call_recording set started_at = ? where call_id = ?",
                Timestamp.from(Instant.now().minus(Duration.ofDays(2))), callId);
        assertThat(retention.deleteExpired()).isEqualTo(1);
        assertThat(Files.exists(onDisk)).isFalse();
        assertThat(jdbc.queryForObject("select deleted_at from call_recording where call_id = ?", Timestamp.class,
                callId)).isNotNull();
        assertThat(get("/api/v1/calls/" + callId + "/recording", String.class).getStatusCode())
                .isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(get("/api/v1/calls/" + callId + "/timeline", String.class).getBody())
                .contains("RECORDING_DELETED");
        assertThat(retention.deleteExpired()).as("nothing twice").isZero();
    }

    @Test
    void aQueueThatNeverRecordsHasNoFileAndRefusesAStart() throws Exception {
        String callId;
        try (Phones phones = Phones.start()) {
            callId = connect(phones, "502");
            ResponseEntity<String> start = post("/api/v1/calls/" + callId + "/recording", "{\"action\":\"start\"}");
            assertThat(start.getStatusCode()).as(start.getBody()).isEqualTo(HttpStatus.CONFLICT);
            assertThat(start.getBody()).contains("never");
            phones.agent().hangUp();
            phones.caller().awaitEvent("CALL_CLOSED", SIGNALLING);
        }
        await().atMost(SIGNALLING).until(() -> ended(callId));
        assertThat(recorded(callId)).isFalse();
        assertThat(files.of(callId)).isEmpty();
        assertThat(get("/api/v1/calls/" + callId + "/recording", String.class).getStatusCode())
                .isEqualTo(HttpStatus.NOT_FOUND);
    }

    @Test
    void theConsentAnnouncementPlaysToTheCallerBeforeTheAgentIsConnectedAndTheRecordingStarts() throws Exception {
        String callId;
        short[] heard;
        try (Phones phones = Phones.start()) {
            callId = connect(phones, "503");
            // The caller hears the announcement (about 3.9 s of speech), then the agent; the dump holds the whole call.
            await().atMost(SIGNALLING).until(() -> firstBlockWith(Tones.readSince(phones.caller().heard(), 0), AGENT)
                    >= 0);
            heard = Tones.readSince(phones.caller().heard(), 0);
            Thread.sleep(2000); // the conversation into the recording
            phones.agent().hangUp();
            phones.caller().awaitEvent("CALL_CLOSED", SIGNALLING);
        }
        int firstAgentBlock = firstBlockWith(heard, AGENT);
        int speech = 0;
        for (int block = 0; block < firstAgentBlock; block++) {
            speech += rms(heard, block * 160, 160) > 300 ? 1 : 0;
        }
        assertThat(firstAgentBlock * 0.02).as("the agent is heard only after the announcement").isGreaterThan(3.5);
        assertThat(speech * 0.02).as("the announcement was heard").isGreaterThan(2.0);

        await().atMost(SIGNALLING).until(() -> ended(callId));
        ResponseEntity<byte[]> download = await().atMost(SIGNALLING).until(() -> get("/api/v1/calls/" + callId
                + "/recording", byte[].class), response -> response.getStatusCode() == HttpStatus.OK);
        double[][] rms = windows(download.getBody());
        // The recording starts with the conversation, after the announcement: had it started before, its first ~3.9 s
        // would hold no agent (the caller was not bridged yet).
        int firstAgent = -1;
        int agentLoud = 0;
        for (int w = 0; w < rms.length; w++) {
            if (rms[w][1] > 1000) {
                agentLoud++;
                firstAgent = firstAgent < 0 ? w : firstAgent;
            }
        }
        assertThat(agentLoud).as("the agent's tone in the recording").isGreaterThanOrEqualTo(10);
        assertThat(firstAgent).as("100 ms windows before the agent is heard in the recording").isBetween(0, 10);
    }

    private String connect(Phones phones, String did) throws Exception {
        phones.agent().awaitEvent("REGISTER_OK", SIGNALLING);
        phones.caller().dial("sip:" + did + "@127.0.0.1:" + SIP_PORT);
        phones.agent().awaitEvent("CALL_INCOMING", SIGNALLING);
        phones.agent().accept();
        phones.agent().awaitEvent("CALL_RTPESTAB", SIGNALLING);
        return await().atMost(SIGNALLING).until(() -> jdbc.queryForList("select call_id from call_record where did"
                + " = ? and ended_at is null", String.class, did), ids -> ids.size() == 1).get(0);
    }

    private boolean recorded(String callId) {
        return jdbc.queryForObject("select count(*) from call_recording where call_id = ?", Integer.class,
                callId) == 1;
    }

    private int pauses(String callId, String condition) {
        return jdbc.queryForObject("select count(*) from recording_pause where call_id = ? and " + condition,
                Integer.class, callId);
    }

    private boolean ended(String callId) {
        return jdbc.queryForObject("select count(*) from call_record where call_id = ? and ended_at is not null",
                Integer.class, callId) == 1;
    }

    private <T> ResponseEntity<T> get(String path, Class<T> type) {
        return http.withBasicAuth("boss", "boss-password").exchange(path, HttpMethod.GET, null, type);
    }

    private ResponseEntity<String> post(String path, String body) {
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        return http.withBasicAuth("boss", "boss-password").exchange(path, HttpMethod.POST,
                new HttpEntity<>(body, headers), String.class);
    }

    /** RMS of each 100 ms window of a 16-bit stereo WAV: [window][channel]. */
    private static double[][] windows(byte[] wav) {
        ByteBuffer data = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
        int frames = (wav.length - 44) / 4;
        double[][] rms = new double[frames / WINDOW_FRAMES][2];
        for (int w = 0; w < rms.length; w++) {
            for (int ch = 0; ch < 2; ch++) {
                double sum = 0;
                for (int i = 0; i < WINDOW_FRAMES; i++) {
                    double s = data.getShort(44 + ((w * WINDOW_FRAMES + i) * 4) + ch * 2);
                    sum += s * s;
                }
                rms[w][ch] = Math.sqrt(sum / WINDOW_FRAMES);
            }
        }
        return rms;
    }

    /** The longest run of windows where both channels are digital silence: {start, length}. */
    private static int[] longestSilence(double[][] rms) {
        int[] best = {0, 0};
        int start = -1;
        for (int w = 0; w <= rms.length; w++) {
            boolean silent = w < rms.length && rms[w][0] == 0 && rms[w][1] == 0;
            if (silent && start < 0) {
                start = w;
            } else if (!silent && start >= 0) {
                if (w - start > best[1]) {
                    best = new int[] {start, w - start};
                }
                start = -1;
            }
        }
        return best;
    }

    /** How many windows in [from, to) carry the caller's tone loudly. */
    private static int loud(double[][] rms, int from, int to) {
        int count = 0;
        for (int w = from; w < to; w++) {
            count += rms[w][0] > 1000 ? 1 : 0;
        }
        return count;
    }

    /** The first 20 ms block of ten in a row that carry the tone clearly above other speech frequencies. */
    private static int firstBlockWith(short[] samples, double hertz) {
        for (int block = 0; (block + 10) * 160 <= samples.length; block++) {
            short[] run = Arrays.copyOfRange(samples, block * 160, (block + 10) * 160);
            if (Tones.blocksWith(run, hertz, 300, 600, 1500, 2500) == 10) {
                return block;
            }
        }
        return -1;
    }

    private static double rms(short[] samples, int from, int length) {
        double sum = 0;
        for (int i = from; i < from + length; i++) {
            sum += (double) samples[i] * samples[i];
        }
        return Math.sqrt(sum / length);
    }

    /** Caller and agent phones, each sending its own tone, in this test's RTP ports. */
    private record Phones(Baresip caller, Baresip agent) implements AutoCloseable {

        static Phones start() throws Exception {
            return new Phones(Baresip.caller().source(callerTone).rtpPorts(45200, 45349).start(),
                    Baresip.agent("1001", "alice-1001", SIP_PORT).source(agentTone).rtpPorts(45350, 45499).start());
        }

        @Override
        public void close() throws Exception {
            try (caller; agent) {
                // closes both, whatever fails
            }
        }
    }
}
