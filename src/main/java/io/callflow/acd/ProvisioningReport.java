package io.callflow.acd;

import java.time.Instant;
import java.util.List;

/** The outcome of loading the provisioning file: how many entries applied, and every entry skipped with why. */
public record ProvisioningReport(String file, int applied, List<ProvisioningProblem> problems, Instant at) {
}
