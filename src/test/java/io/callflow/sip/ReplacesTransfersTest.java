package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;

import javax.sip.SipFactory;
import javax.sip.address.AddressFactory;

import org.junit.jupiter.api.Test;

/** The Replaces header as phones write it in Refer-To (RFC 3891 section 6.1, escaped per RFC 3261 section 19.1.1). */
class ReplacesTransfersTest {

    @Test
    void aReplacesHeaderIsReadFromAReferToUriWhateverTheOrderAndEscaping() throws Exception {
        AddressFactory addresses = SipFactory.getInstance().createAddressFactory();
        var uri = addresses.createURI("sip:202@callflow.local?Replaces=abc%40host%3Bfrom-tag%3Df1%3Bto-tag%3Dt1");
        assertThat(ReplacesTransfers.parse(ReplacesTransfers.rawReplaces(uri)))
                .contains(new ReplacesTransfers.Replaces("abc@host", "t1", "f1"));
        var lower = addresses.createURI("sip:202@callflow.local?x=1&replaces=abc%3bto-tag%3dt%3bfrom-tag%3df%3bearly-only");
        assertThat(ReplacesTransfers.parse(ReplacesTransfers.rawReplaces(lower)))
                .contains(new ReplacesTransfers.Replaces("abc", "t", "f"));
        assertThat(ReplacesTransfers.rawReplaces(addresses.createURI("sip:202@callflow.local"))).isNull();
    }

    @Test
    void aReplacesWithoutItsTagsOrWithABrokenEscapeIsRefused() {
        assertThat(ReplacesTransfers.parse("abc")).isEmpty();
        assertThat(ReplacesTransfers.parse("abc%3Bto-tag%3Dt")).isEmpty();
        assertThat(ReplacesTransfers.parse("%3Bto-tag%3Dt%3Bfrom-tag%3Df")).isEmpty();
        assertThat(ReplacesTransfers.parse("abc%3Bto-tag%3D%3Bfrom-tag%3Df")).isEmpty();
        assertThat(ReplacesTransfers.parse("abc%zz")).isEmpty();
        assertThat(ReplacesTransfers.parse("abc%3")).isEmpty();
        assertThat(ReplacesTransfers.parse(null)).isEmpty();
    }
}
