package io.callflow.sip;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.MessageParserFactory;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import gov.nist.javax.sip.parser.StringMsgParser;
import gov.nist.javax.sip.stack.SIPTransactionStack;

/**
 * JAIN-SIP's message parser, made to notice what it silently repairs: it keeps the first of two From, To, Call-ID,
 * CSeq or Max-Forwards headers and the last of two Content-Lengths, and takes a Request-Line with several spaces or
 * a display name with commas. Such a request is marked with a {@link Defect} (its application data) for
 * {@link SipRequestChecks} to answer 400 before a transaction exists (RFC 4475 sections 3.1.2.9, 3.1.2.14, 3.1.2.15,
 * 3.3.8, 3.3.9). The stack instantiates it by name ({@code gov.nist.javax.sip.MESSAGE_PARSER_FACTORY}), hence public.
 */
public final class SipMessageParserFactory implements MessageParserFactory {

    private static final MessageParser PARSER = new DefectNoticingParser();

    /** What is wrong with a request that parsed: the answer's status and reason. */
    public record Defect(int status, String reason) {
    }

    @Override
    public MessageParser createMessageParser(SIPTransactionStack stack) {
        return PARSER;
    }

    /** RFC 3261 section 7.3.1: only headers whose value is a comma-separated list may appear more than once. */
    private static final Map<String, String> SINGLE_VALUED = Map.ofEntries(Map.entry("from", "From"),
            Map.entry("f", "From"), Map.entry("to", "To"), Map.entry("t", "To"), Map.entry("call-id", "Call-ID"),
            Map.entry("i", "Call-ID"), Map.entry("cseq", "CSeq"), Map.entry("max-forwards", "Max-Forwards"),
            Map.entry("content-length", "Content-Length"), Map.entry("l", "Content-Length"),
            Map.entry("content-type", "Content-Type"), Map.entry("c", "Content-Type"));
    /** RFC 3261 section 25.1: display-name = *(token LWS) / quoted-string; no LWS just inside the angle
     *  brackets. Possessive quantifiers: no backtracking on a hostile value. */
    private static final Pattern NAME_ADDR = Pattern.compile("^\\s*+(?:(?:[\\p{L}\\p{N}_.!%*+`'~-]++\\s*+)*+"
            + "|\"(?:[^\"\\\\]|\\\\.)*+\"\\s*+)<\\S[^<>\\s]*+>.*$");

    static final class DefectNoticingParser extends StringMsgParser {

        private static final Set<String> VIA = Set.of("via", "v");
        private static final Pattern PORT = Pattern.compile("\\d{1,5}");

        /** The single-valued headers seen so far in the message this thread is parsing (the parser is shared). */
        private static final ThreadLocal<Set<String>> SEEN = ThreadLocal.withInitial(HashSet::new);

        @Override
        protected SIPMessage processFirstLine(String firstLine, ParseExceptionListener listener, byte[] buffer)
                throws ParseException {
            SEEN.get().clear();
            SIPMessage message;
            try {
                message = super.processFirstLine(firstLine, listener, buffer);
            } catch (RuntimeException broken) {
                throw unparsable(firstLine, broken);
            }
            // RFC 3261 section 25.1: Request-Line = Method SP Request-URI SP SIP-Version CRLF, single spaces.
            if (message instanceof SIPRequest && firstLine.contains("  ")) {
                mark(message, "Request-Line elements must be separated by single spaces");
            }
            // RFC 3261 section 7.1 and 21.5.7: the stack reads "SIP/7.0" as SIP/2.0; it is another version.
            if (message instanceof SIPRequest && !trimEndOfLine(firstLine).toUpperCase(Locale.ROOT).endsWith(" SIP/2.0")
                    && message.getApplicationData() == null) {
                message.setApplicationData(new Defect(505, "Version Not Supported"));
            }
            return message;
        }

        @Override
        protected void processHeader(String header, SIPMessage message, ParseExceptionListener listener,
                byte[] rawMessage) throws ParseException {
            int colon = header.indexOf(':');
            String name = colon < 0 ? null
                    : SINGLE_VALUED.get(header.substring(0, colon).trim().toLowerCase(Locale.ROOT));
            if (name != null && !SEEN.get().add(name)) {
                mark(message, "Duplicate " + name + " header");
            }
            if (("From".equals(name) || "To".equals(name)) && header.indexOf('<') >= 0
                    && !NAME_ADDR.matcher(header.substring(colon + 1)).matches()) {
                mark(message, "Malformed " + name + " display name or address");
            }
            try {
                super.processHeader(header, message, listener, rawMessage);
                checkRport(header, colon, message, listener, rawMessage);
            } catch (RuntimeException broken) {
                // A header parser that fails with an unchecked exception (Subscription-State "reason=" with no value
                // is a NullPointerException) would escape to the stack's reader thread and lose the datagram with an
                // ERROR; it is a malformed header like any other, handled by the channel's listener (kept unparsed,
                // or the message rejected when the header is one the channel requires).
                ParseException malformed = unparsable(header, broken);
                if (listener == null) {
                    throw malformed;
                }
                listener.handleException(malformed, message, null, header,
                        rawMessage == null ? null : new String(rawMessage, StandardCharsets.UTF_8));
            }
        }

        /**
         * RFC 3581 section 3: rport is empty in a request or a port number. The stack takes any value, then fails with a
         * NumberFormatException on every answer it builds (it copies the Via), so the request could never be answered:
         * a malformed Via, which rejects the message.
         */
        private static void checkRport(String header, int colon, SIPMessage message, ParseExceptionListener listener,
                byte[] rawMessage) throws ParseException {
            if (colon < 0 || !VIA.contains(header.substring(0, colon).trim().toLowerCase(Locale.ROOT))
                    || message.getViaHeaders() == null) {
                return;
            }
            for (Object each : message.getViaHeaders()) {
                String rport = ((Via) each).getParameter("rport");
                if (rport != null && !rport.isEmpty() && !PORT.matcher(rport).matches()) {
                    ParseException malformed = new ParseException("Via rport is not a port: " + rport, 0);
                    if (listener == null) {
                        throw malformed;
                    }
                    listener.handleException(malformed, message, Via.class, header,
                            rawMessage == null ? null : new String(rawMessage, StandardCharsets.UTF_8));
                    return;
                }
            }
        }

        private static ParseException unparsable(String line, RuntimeException cause) {
            ParseException malformed = new ParseException("Unparsable: " + line.strip(), 0);
            malformed.initCause(cause);
            return malformed;
        }

        private static void mark(SIPMessage message, String reason) {
            if (message.getApplicationData() == null) {
                message.setApplicationData(new Defect(400, reason));
            }
        }
    }
}
