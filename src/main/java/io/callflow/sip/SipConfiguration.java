package io.callflow.sip;

import java.time.Clock;
import java.util.List;
import java.util.Properties;
import java.util.TooManyListenersException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.callflow.call.AgentDialPlan;
import io.callflow.call.CallControl;
import io.callflow.call.CallEventPublisher;
import io.callflow.call.DialPlan;
import io.callflow.call.SubscriberDirectory;
import io.callflow.media.MediaControl;
import io.callflow.media.MediaEndpoints;
import io.callflow.platform.DatabaseAvailability;
import io.micrometer.core.instrument.MeterRegistry;
import javax.sip.ListeningPoint;
import javax.sip.SipFactory;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Starts the JAIN-SIP stack (UDP and TCP on one port) and wires the registrar and the B2BUA, which is the
 * application's {@link CallControl}.
 */
@Configuration(proxyBeanMethods = false)
class SipConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SipConfiguration.class);

    @Bean(destroyMethod = "close")
    TcpConnectionGuard tcpConnectionGuard(SipProperties properties, Clock clock, MeterRegistry meters) {
        SipProperties.Tcp tcp = properties.tcp();
        if (tcp.idleTimeout().toSeconds() < properties.maxExpires()) {
            log.warn("callflow.sip.tcp.idle-timeout ({}) is shorter than callflow.sip.max-expires ({} s): a phone "
                    + "registered over TCP that sends no keep-alives loses its connection between refreshes, and "
                    + "calls to it behind NAT fail", tcp.idleTimeout(), properties.maxExpires());
        }
        List<Cidr> trunks = properties.effectiveTrunks().stream().flatMap(trunk -> trunk.cidrs().stream())
                .map(Cidr::parse).toList();
        return new TcpConnectionGuard(tcp, trunks, clock, meters);
    }

    /** The TLS server's certificate, checked for changes on the SIP timer thread; absent with TLS off. */
    @Bean
    @ConditionalOnProperty(prefix = "callflow.sip.tls", name = "enabled", havingValue = "true")
    ReloadingKeyManager sipTlsKeyManager(SipTlsProperties tls, ScheduledExecutorService sipTimers) {
        ReloadingKeyManager keys = new ReloadingKeyManager(tls);
        long every = tls.reloadCheck().toMillis();
        sipTimers.scheduleWithFixedDelay(keys::reloadIfChanged, every, every, TimeUnit.MILLISECONDS);
        return keys;
    }

    @Bean(destroyMethod = "stop")
    SipStack sipStack(SipProperties properties, TcpConnectionGuard tcpGuard, SipTlsProperties tls,
            ObjectProvider<ReloadingKeyManager> sipTlsKeyManager) throws Exception {
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        Properties stack = new Properties();
        String name = "callflow-" + System.identityHashCode(stack);
        stack.setProperty("javax.sip.STACK_NAME", name);
        stack.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "on");
        stack.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
        stack.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "4");
        stack.setProperty("gov.nist.javax.sip.TRACE_LEVEL", "0");
        stack.setProperty("gov.nist.javax.sip.STACK_LOGGER", CappedStackLogger.class.getName());
        stack.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", "65536");
        // Marks what the stock parser silently repairs (duplicate headers), for SipRequestChecks to answer 400.
        stack.setProperty("gov.nist.javax.sip.MESSAGE_PARSER_FACTORY", SipMessageParserFactory.class.getName());
        stack.setProperty("gov.nist.javax.sip.DELIVER_UNSOLICITED_NOTIFY", "false");
        // TCP on NIO: one selector thread for all connections. The default transport takes two threads per
        // connection and has no idle timeout at all. Parsed messages go to the stack's THREAD_POOL_SIZE threads (by
        // Call-ID) either way; TCP_POST_PARSING_THREAD_POOL_SIZE is left unset because that pool is one static
        // executor per JVM, replaced by every stack that sets it.
        stack.setProperty("gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY",
                BoundedNioMessageProcessorFactory.class.getName());
        BoundedNioMessageProcessorFactory.register(name, tcpGuard);
        // The guard times out the connections peers open. The stack's own idle timer is the backstop for those
        // Callflow opens to a phone's Contact, which the guard does not see; at twice the idle timeout, because it
        // checks only once per period and counts activity its own way, so on the guarded ones it must never come first.
        stack.setProperty("gov.nist.javax.sip.NIO_MAX_SOCKET_IDLE_TIME",
                Long.toString(2 * properties.tcp().idleTimeout().toMillis()));
        // TLS keys and trust come from Callflow's settings (SipTlsKeys), not the javax.net.ssl system properties: the
        // stack's default provider and policy log five warnings at every start when those are unset, TLS or not.
        stack.setProperty("gov.nist.javax.sip.SECURITY_MANAGER_PROVIDER", SipTlsKeys.class.getName());
        stack.setProperty("gov.nist.javax.sip.TLS_SECURITY_POLICY", "gov.nist.javax.sip.stack.DefaultTlsSecurityPolicy");
        // Phones authenticate by digest, not by client certificate (RFC 3261 section 26.3.2.2 makes that optional).
        stack.setProperty("gov.nist.javax.sip.TLS_CLIENT_AUTH_TYPE", "Disabled");
        // The stack's own defaults are TLS 1.0-1.2 with four RSA/anonymous CBC suites the JDK no longer enables, so no
        // handshake with an EC certificate (or a current phone) could succeed: TLS 1.2 and 1.3 only (RFC 8996) with the
        // JDK's default suites, which follow its security updates.
        stack.setProperty("gov.nist.javax.sip.TLS_CLIENT_PROTOCOLS", "TLSv1.3,TLSv1.2");
        stack.setProperty("gov.nist.javax.sip.ENABLED_CIPHER_SUITES",
                String.join(",", javax.net.ssl.SSLContext.getDefault().getDefaultSSLParameters().getCipherSuites()));
        SipTlsKeys.register(name, tls, sipTlsKeyManager.getIfAvailable());
        return factory.createSipStack(stack);
    }

    @Bean
    SipContext sipContext(SipStack stack, SipProperties properties, SipTlsProperties tlsProperties) throws Exception {
        SipFactory factory = SipFactory.getInstance();
        int port = properties.port() == 0 ? freePort() : properties.port();
        ListeningPoint udp = stack.createListeningPoint(properties.bindAddress(), port, "udp");
        ListeningPoint tcp = stack.createListeningPoint(properties.bindAddress(), port, "tcp");
        // Via and Contact must name an address peers can reach, not the wildcard we may bind to.
        udp.setSentBy(properties.advertisedAddress() + ":" + port);
        tcp.setSentBy(properties.advertisedAddress() + ":" + port);
        SipProvider provider = stack.createSipProvider(udp);
        provider.addListeningPoint(tcp);
        ListeningPoint tls = null;
        if (tlsProperties.enabled()) {
            tls = stack.createListeningPoint(properties.bindAddress(), tlsProperties.port(), "tls");
            tls.setSentBy(properties.advertisedAddress() + ":" + tls.getPort());
            provider.addListeningPoint(tls);
            log.info("SIP over TLS on port {}", tls.getPort());
        }
        return new SipContext(provider, factory.createAddressFactory(), factory.createHeaderFactory(),
                factory.createMessageFactory(), udp, properties.advertisedAddress(), properties.domain(), tls);
    }

    /** Port 0 means "any free port" (tests, benchmarks); JAIN-SIP itself needs a concrete one. */
    private static int freePort() throws java.io.IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (var udp = new java.net.DatagramSocket(0)) {
                int port = udp.getLocalPort();
                try (var tcp = new java.net.ServerSocket(port)) {
                    return port;
                } catch (java.io.IOException taken) {
                    // the TCP side of this port is busy; try another
                }
            }
        }
        throw new java.io.IOException("no free port for SIP on UDP and TCP");
    }

    @Bean(destroyMethod = "shutdownNow")
    ScheduledExecutorService sipTimers() {
        return Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "sip-timers");
            t.setDaemon(true);
            return t;
        });
    }

    @Bean(destroyMethod = "shutdownNow")
    ExecutorService registrarExecutor() {
        return Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "sip-registrar");
            t.setDaemon(true);
            return t;
        });
    }

    @Bean
    DigestAuthenticator digestAuthenticator(Clock clock, SipProperties properties) {
        return new DigestAuthenticator(clock, properties.nonceLifetime());
    }

    @Bean(destroyMethod = "close")
    RegistrationStore registrationStore(JdbcTemplate jdbc, PlatformTransactionManager transactions,
            SipProperties properties) {
        return new RegistrationStore(jdbc, new TransactionTemplate(transactions), properties.registrationWriteDelay());
    }

    @Bean
    Registrar registrar(SipContext sip, SipProperties properties, SubscriberDirectory directory,
            DigestAuthenticator digest, RegistrationStore store, ApplicationEventPublisher events, AuthGuard authGuard,
            Clock clock, ScheduledExecutorService sipTimers) {
        Registrar registrar = new Registrar(sip, properties, cached(properties, directory), digest, store, events,
                authGuard, clock);
        sipTimers.scheduleWithFixedDelay(() -> {
            try {
                registrar.sweep();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(Registrar.class).error("Registration sweep failed", e);
            }
        }, properties.registrationSweep().toMillis(), properties.registrationSweep().toMillis(),
                TimeUnit.MILLISECONDS);
        return registrar;
    }

    /** Agents' credentials, cached for {@code callflow.sip.credential-cache} (zero: read every time). */
    private static SubscriberDirectory cached(SipProperties properties, SubscriberDirectory directory) {
        return properties.credentialCache().isZero() ? directory
                : new CachedSubscriberDirectory(directory, properties.credentialCache());
    }

    @Bean
    OutboundTrunks outboundTrunks(OutboundTrunkProperties properties) {
        return new OutboundTrunks(properties);
    }

    @Bean(destroyMethod = "close")
    TrunkRegistrations trunkRegistrations(SipContext sip, OutboundTrunks trunks, ScheduledExecutorService sipTimers,
            Clock clock, MeterRegistry meters) {
        return new TrunkRegistrations(sip, trunks, sipTimers, clock, meters);
    }

    @Bean
    B2bua b2bua(SipContext sip, SipProperties properties, Registrar registrar, DialPlan dialPlan,
            MediaEndpoints media, MediaControl mediaControl, CallEventPublisher events,
            ScheduledExecutorService sipTimers, MeterRegistry meters, SipAgentProperties agents,
            OutboundTrunks outboundTrunks, SubscriberDirectory directory, DigestAuthenticator digest,
            AuthGuard authGuard, AgentDialPlan agentDialPlan) {
        var agentCalls = new AgentCalls(sip, new DigestGate(sip, properties, cached(properties, directory), digest,
                authGuard,
                LoggerFactory.getLogger(AgentCalls.class)), registrar, agentDialPlan, media, agents, events,
                authGuard);
        return new B2bua(sip, properties, registrar, dialPlan, media, mediaControl, events, sipTimers, meters,
                new MediaSecurity(properties.effectiveTrunks(), agents), outboundTrunks, agentCalls);
    }

    @Bean
    CallControl callControl(B2bua b2bua) {
        return new SipCallControl(b2bua);
    }

    @Bean
    FloodGuard floodGuard(SipProperties properties, Clock clock, MeterRegistry meters) {
        List<Cidr> exempt = properties.flood().exemptTrunks() ? properties.effectiveTrunks().stream()
                .flatMap(trunk -> trunk.cidrs().stream()).map(Cidr::parse).toList() : List.of();
        return new FloodGuard(properties.flood(), exempt, clock, meters);
    }

    @Bean
    AuthGuard authGuard(SipProperties properties, Clock clock, MeterRegistry meters) {
        return new AuthGuard(properties.authGuard(), properties.authGuard().exemptCidrs().stream().map(Cidr::parse)
                .toList(), clock, meters);
    }

    @Bean
    SipListenerAdapter sipListener(SipContext sip, FloodGuard floodGuard, AuthGuard authGuard, Registrar registrar,
            B2bua b2bua, ExecutorService registrarExecutor, DatabaseAvailability database,
            TrunkRegistrations trunkRegistrations) throws TooManyListenersException {
        SipListenerAdapter listener = new SipListenerAdapter(sip, floodGuard, authGuard, registrar, b2bua,
                registrarExecutor, database, trunkRegistrations);
        sip.provider().addSipListener(listener);
        trunkRegistrations.start();
        return listener;
    }

    @Bean
    SipDrain sipDrain(SipListenerAdapter listener, B2bua b2bua, ShutdownProperties settings) {
        return new SipDrain(listener, b2bua, settings);
    }
}
