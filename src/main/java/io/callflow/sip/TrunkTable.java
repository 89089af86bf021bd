package io.callflow.sip;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The configured trunks' address ranges, parsed once: which trunk, if any, a request's source address belongs to. */
final class TrunkTable {

    private final List<Map.Entry<String, Cidr>> ranges;

    TrunkTable(List<SipProperties.Trunk> trunks) {
        this.ranges = trunks.stream().flatMap(trunk -> trunk.cidrs().stream()
                .map(cidr -> Map.entry(trunk.name(), Cidr.parse(cidr)))).toList();
    }

    /** The first trunk (in configuration order) whose ranges contain the address. */
    Optional<String> trunkOf(InetAddress source) {
        return ranges.stream().filter(range -> range.getValue().contains(source)).map(Map.Entry::getKey).findFirst();
    }
}
