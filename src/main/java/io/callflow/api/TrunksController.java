package io.callflow.api;

import java.util.List;

import io.callflow.sip.TrunkRegistrations;
import io.callflow.sip.TrunkRegistrations.TrunkStatus;
import io.swagger.v3.oas.annotations.Operation;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The outbound trunks and their registration with their providers, for administrators. */
@RestController
class TrunksController {

    private final TrunkRegistrations registrations;

    TrunksController(TrunkRegistrations registrations) {
        this.registrations = registrations;
    }

    @Operation(summary = "Outbound trunks and their registration state", description = "Role: ADMIN. Each trunk of"
            + " callflow.sip.outbound-trunks: address, whether it registers, state (NOT_REGISTERING, REGISTERING,"
            + " REGISTERED, FAILED), when it last registered and until when, the last error, and counts.")
    @PreAuthorize("hasRole('ADMIN')")
    @GetMapping(Api.V1 + "/trunks")
    List<TrunkStatus> trunks() {
        return registrations.statuses();
    }
}
