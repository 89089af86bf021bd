package io.callflow.sip;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.callflow.media.SrtpPolicy;

/**
 * The TLS and SRTP policies of trunks and agents, applied where the B2BUA sets up a leg: which transport a trunk's
 * INVITE must use, which SRTP policy its SDP is answered under, which of an agent's contacts may be called and with
 * what SRTP offer. SDES keys go only where the policy allows: to an agent only over TLS (RFC 4568 section 8.3).
 */
final class MediaSecurity {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(MediaSecurity.class);

    /** What an agent leg is set up with: the contacts to call and the SRTP policy of the one offer they all get. */
    record AgentPlan(List<Binding> contacts, SrtpPolicy srtp) {
    }

    private final Map<String, SipProperties.Trunk> trunks;
    private final SipAgentProperties agents;

    MediaSecurity(List<SipProperties.Trunk> trunks, SipAgentProperties agents) {
        this.trunks = trunks.stream().collect(Collectors.toMap(SipProperties.Trunk::name, Function.identity(),
                (first, second) -> first));
        this.agents = agents;
    }

    /** Why the trunk's INVITE that came over {@code transport} is refused, if it is. */
    Optional<String> refusal(String trunk, String transport) {
        SipProperties.Trunk settings = trunks.get(trunk);
        if (settings != null && settings.tls() == TlsPolicy.REQUIRED && !isTls(transport)) {
            return Optional.of("TLS required");
        }
        return Optional.empty();
    }

    SrtpPolicy trunkSrtp(String trunk) {
        SipProperties.Trunk settings = trunks.get(trunk);
        return settings == null ? SrtpPolicy.OPTIONAL : settings.srtp();
    }

    AgentPlan agent(List<Binding> contacts) {
        boolean tlsOnly = agents.tls() == TlsPolicy.REQUIRED || agents.srtp() == SrtpPolicy.REQUIRED;
        List<Binding> callable = tlsOnly ? contacts.stream().filter(b -> isTls(b.transport())).toList() : contacts;
        if (callable.size() < contacts.size()) {
            log.info("{} of {}'s contacts not called: not registered over TLS, which callflow.sip.agents requires",
                    contacts.size() - callable.size(), contacts.get(0).user());
        }
        SrtpPolicy srtp = agents.srtp();
        if (srtp == SrtpPolicy.OPTIONAL && !callable.stream().allMatch(b -> isTls(b.transport()))) {
            srtp = SrtpPolicy.OFF;
        }
        return new AgentPlan(callable, srtp);
    }

    static boolean isTls(String transport) {
        return "tls".equalsIgnoreCase(transport);
    }
}
