#!/usr/bin/env python3
"""Writes the seed inputs of the Jazzer fuzz tests from real messages, so fuzzing starts deep.

SIP: RFC 4475's torture messages and the other raw messages of the SIP tests (placeholders filled in), and every
message the SIPp scenarios send. SDP: the bodies among those messages plus offers as common phones send them. RTP: the
packets the media tests use (G.711 audio, an RFC 4733 key press with its retransmitted end packets) and RTCP compound
packets (RFC 3550 section 6) arriving on the RTP port, as a peer using rtcp-mux (RFC 5761) sends them.

Seeds are named seed-<source>; findings kept as regression inputs are named after what broke. Run from the project
root: python3 bench/fuzz/seeds.py (idempotent).
"""
import hashlib
import pathlib
import re
import struct

ROOT = pathlib.Path(__file__).resolve().parents[2]
RES = ROOT / "src/test/resources"
SIP_OUT = RES / "io/callflow/sip/SipMessageFuzzTestInputs/requestsAndResponsesParseOrAreRejected"
SDP_OUT = RES / "io/callflow/media/SdpFuzzTestInputs/offersParseOrAreRejected"
RTP_OUT = RES / "io/callflow/media/RtpFuzzTestInputs/datagramsDecodeOrAreDropped"

FILLS = {"localPort": "5062", "port": "5060", "sipPort": "5060", "branch": "4475seed", "callId": "-seed",
         "method": "OPTIONS", "user": "1001", "viaTransport": "UDP", "cseq": "1", "expires": "300",
         "contact": "<sip:1001@192.0.2.10:5060>", "nonce": "3b8e5c4d", "response": "0" * 32,
         "algorithm": "MD5", "nc": "00000001", "requestUri": "sip:999@127.0.0.1", "from": "tel:+4930123456",
         "to": "sip:999@callflow.local", "did": "100", "caller": "+4930123456", "length": "0", "sdp": ""}
SIPP = {"service": "100", "remote_ip": "127.0.0.1", "remote_port": "5060", "transport": "UDP",
        "local_ip": "127.0.0.1", "local_port": "5062", "branch": "z9hG4bK-sipp-1", "pid": "4242",
        "call_number": "1", "call_id": "1-4242@127.0.0.1", "peer_tag_param": ";tag=cf1", "local_ip_type": "4",
        "media_ip": "127.0.0.1", "media_ip_type": "4", "media_port": "6000", "auto_media_port": "6000",
        "cseq": "1", "last_Via:": "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKcf",
        "last_From:": "From: <sip:+4930123456@127.0.0.1>;tag=cf1", "last_To:": "To: <sip:6000@127.0.0.1>",
        "last_Call-ID:": "Call-ID: cf-1@127.0.0.1", "last_CSeq:": "CSeq: 1 INVITE",
        "last_Record-Route:": "", "routes": "", "next_url": "sip:100@127.0.0.1:5060",
        "authentication": 'Authorization: Digest username="1001",realm="callflow.local",nonce="3b8e5c4d",'
                          'uri="sip:callflow.local",response="00000000000000000000000000000000",algorithm=MD5'}


def write(directory, name, data):
    directory.mkdir(parents=True, exist_ok=True)
    for existing in directory.glob("seed-*"):
        if existing.read_bytes() == data and existing.name != name:
            return
    (directory / name).write_bytes(data)


def with_length(text):
    head, sep, body = text.partition("\r\n\r\n")
    length = str(len(body.encode()))
    head = head.replace("${contentLength}", length).replace("[len]", length)
    return head + sep + body


def sip_seeds():
    bodies = []
    for path in sorted((RES / "sip").rglob("*.txt")):
        text = re.sub(r"\$\{(\w+)\}", lambda m: FILLS.get(m.group(1), m.group(0)), path.read_text())
        text = with_length(text.replace("\r\n", "\n").replace("\n", "\r\n"))
        write(SIP_OUT, "seed-" + path.stem, text.encode())
        bodies.append(text.partition("\r\n\r\n")[2])
    for path in sorted((ROOT / "src/test/sipp").glob("*.xml")):
        xml = path.read_text()
        for n, block in enumerate(re.findall(r"<send[^>]*>\s*<!\[CDATA\[(.*?)\]\]>", xml, re.S)):
            lines = [line.strip() for line in block.strip("\n").split("\n")]
            text = "\r\n".join(lines).strip("\r\n") + "\r\n"
            if "\r\n\r\n" not in text:
                text += "\r\n"
            text = re.sub(r"\[([\w:-]+)\]", lambda m: SIPP.get(m.group(1), m.group(0)), text)
            text = with_length(text)
            write(SIP_OUT, "seed-sipp-%s-%d" % (path.stem, n), text.encode())
            bodies.append(text.partition("\r\n\r\n")[2])
    return [b for b in bodies if b.startswith("v=0")]


PHONE_OFFERS = {
    # a softphone offering wideband and narrowband codecs, RTCP on the next port, telephone-event
    "softphone": "v=0\r\no=- 3912345678 3912345678 IN IP4 192.168.1.20\r\ns=-\r\nc=IN IP4 192.168.1.20\r\n"
                 "t=0 0\r\nm=audio 7078 RTP/AVP 9 0 8 101\r\na=rtpmap:9 G722/8000\r\na=rtpmap:0 PCMU/8000\r\n"
                 "a=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n"
                 "a=rtcp:7079\r\na=ptime:20\r\na=sendrecv\r\n",
    # a trunk offering PCMA first with a dynamic telephone-event type, session-level connection, on hold
    "trunk-hold": "v=0\r\no=trunk 123 124 IN IP4 203.0.113.5\r\ns=call\r\nc=IN IP4 203.0.113.5\r\nt=0 0\r\n"
                  "m=audio 20000 RTP/AVP 8 0 96\r\na=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-15\r\n"
                  "a=sendonly\r\n",
    # video beside audio, audio-level connection, IPv6, rtcp-mux
    "audio-video": "v=0\r\no=- 1 2 IN IP6 2001:db8::1\r\ns=-\r\nt=0 0\r\nm=video 9000 RTP/AVP 96\r\n"
                   "c=IN IP6 2001:db8::1\r\na=rtpmap:96 H264/90000\r\nm=audio 9002 RTP/AVP 0 101\r\n"
                   "c=IN IP6 2001:db8::2\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
                   "a=rtcp-mux\r\na=recvonly\r\n",
    # only dynamic types for G.711 and LF line ends
    "dynamic-lf": "v=0\no=- 5 5 IN IP4 10.0.0.7\ns=-\nc=IN IP4 10.0.0.7\nt=0 0\nm=audio 4000 RTP/AVP 112 113\n"
                  "a=rtpmap:112 PCMU/8000\na=rtpmap:113 PCMA/8000\na=inactive\n",
}


def sdp_seeds(bodies):
    for body in bodies:
        write(SDP_OUT, "seed-sip-" + hashlib.sha1(body.encode()).hexdigest()[:10], body.encode())
    for name, offer in PHONE_OFFERS.items():
        write(SDP_OUT, "seed-" + name, offer.encode())


def rtp(pt, seq, ts, ssrc, payload, marker=False):
    return struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | pt, seq, ts, ssrc) + payload


def record(source, datagram):
    """One datagram of a fuzz input: the source (0 or 1), its length (one byte), its bytes."""
    return bytes([source, len(datagram)]) + datagram


def rtp_seeds():
    ssrc = 0x1234ABCD
    audio = b"".join(record(0, rtp(0, 100 + i, 160 * i, ssrc, bytes([0xFF - i]) * 160, marker=i == 0))
                     for i in range(3))
    write(RTP_OUT, "seed-pcmu-audio", audio)
    write(RTP_OUT, "seed-pcma-audio", record(0, rtp(8, 7, 0, ssrc, b"\xd5" * 160, marker=True)))
    # RFC 4733 section 2.5: start, update, then the end packet three times with the event's timestamp
    key = [record(0, rtp(101, 1, 1000, ssrc, b"\x01\x0a\x00\xa0", marker=True)),
           record(0, rtp(101, 2, 1000, ssrc, b"\x01\x0a\x01\x40"))]
    key += [record(0, rtp(101, s, 1000, ssrc, b"\x01\x8a\x03\x20")) for s in (3, 4, 5)]
    write(RTP_OUT, "seed-dtmf-key-1", b"".join(key))
    # CSRC, header extension (RFC 3550 section 5.3.1) and padding
    extended = bytes.fromhex("b100000100000002000000030000000a" + "bede0001" + "11223344" + "ab" + "0002")
    write(RTP_OUT, "seed-csrc-extension-padding", record(0, extended))
    # a second source after latching: dropped as unexpected
    write(RTP_OUT, "seed-two-sources", record(0, rtp(0, 1, 0, ssrc, b"\xff" * 20)) + record(1, rtp(0, 2, 160, 7, b"\xff" * 20)))
    # RTCP (RFC 3550 section 6.4): a compound SR + SDES CNAME, an RR + BYE, as an rtcp-mux peer sends on the RTP port
    sr = struct.pack("!BBHIIIIII", 0x80, 200, 6, ssrc, 0xE1234567, 0x89ABCDEF, 160000, 1000, 160000)
    cname = b"\x01\x0bphone@host\x00\x00"
    sdes = struct.pack("!BBHI", 0x81, 202, (4 + len(cname)) // 4, ssrc) + cname
    write(RTP_OUT, "seed-rtcp-sr-sdes", record(0, sr + sdes))
    block = struct.pack("!IIIIII", 7, 0x01000002, 0x0000FFFF, 20, 0x12345678, 100)
    rr = struct.pack("!BBHI", 0x81, 201, 7, ssrc) + block
    bye = struct.pack("!BBHI", 0x81, 203, 1, ssrc)
    write(RTP_OUT, "seed-rtcp-rr-bye", record(0, rr + bye))


if __name__ == "__main__":
    sdp_seeds(sip_seeds())
    rtp_seeds()
    for out in (SIP_OUT, SDP_OUT, RTP_OUT):
        print(out.relative_to(ROOT), len(list(out.iterdir())), "inputs")
