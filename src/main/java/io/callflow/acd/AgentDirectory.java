package io.callflow.acd;

import java.util.Optional;

import io.callflow.call.DialPlan;
import io.callflow.call.DigestCredential;
import io.callflow.call.SubscriberDirectory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Answers the SIP layer's questions from the provisioned data: an enabled agent's digest credential (HA1 only) and
 * which flow a dialled number starts.
 */
@Component
class AgentDirectory implements SubscriberDirectory, DialPlan {

    private final JdbcTemplate jdbc;
    private final String realm;

    AgentDirectory(JdbcTemplate jdbc, @Value("${callflow.sip.domain:callflow.local}") String realm) {
        this.jdbc = jdbc;
        this.realm = realm;
    }

    @Override
    public Optional<DigestCredential> credential(String user) {
        return jdbc.query("select ha1_md5, ha1_sha256 from agent where sip_user = ? and enabled",
                (rs, n) -> new DigestCredential(user, realm, rs.getString(1), rs.getString(2)), user)
                .stream().findFirst();
    }

    @Override
    public Optional<String> flowFor(String did) {
        return jdbc.queryForList("select flow_key from did_route where did = ?", String.class, did).stream()
                .findFirst();
    }
}
