package io.callflow.acd;

/**
 * Erlang C staffing arithmetic (calls wait rather than being lost): the probability that a call waits, the service
 * level a number of agents achieves, and the fewest agents that reach a target. Computed with the iterative Erlang B
 * recursion, which stays stable for hundreds of agents where factorials overflow.
 */
public final class ErlangC {

    private ErlangC() {
    }

    /** Probability that a call has to wait, with {@code agents} agents and {@code erlangs} of offered traffic. */
    public static double probabilityOfWaiting(int agents, double erlangs) {
        if (agents <= erlangs) {
            return 1.0;
        }
        double erlangB = 1.0;
        for (int k = 1; k <= agents; k++) {
            erlangB = erlangs * erlangB / (k + erlangs * erlangB);
        }
        return agents * erlangB / (agents - erlangs * (1 - erlangB));
    }

    /** Share of calls answered within {@code thresholdSeconds}. */
    public static double serviceLevel(int agents, double erlangs, double handleSeconds, double thresholdSeconds) {
        if (agents <= erlangs) {
            return 0.0;
        }
        return 1 - probabilityOfWaiting(agents, erlangs)
                * Math.exp(-(agents - erlangs) * thresholdSeconds / handleSeconds);
    }

    /** The fewest agents that answer {@code target} (0..1) of calls within the threshold. */
    public static int agentsNeeded(double callsPerHour, double handleSeconds, double target, double thresholdSeconds) {
        double erlangs = callsPerHour * handleSeconds / 3600.0;
        int agents = Math.max(1, (int) Math.floor(erlangs) + 1);
        while (serviceLevel(agents, erlangs, handleSeconds, thresholdSeconds) < target) {
            agents++;
        }
        return agents;
    }
}
