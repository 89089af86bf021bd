package io.callflow.call;

/**
 * What a member of a mix hears and who hears it. Every role hears all the members heard by all; they differ in who
 * hears them: a participant is heard by everyone, a muted member and a listener by nobody, a whisperer only by the one
 * member it whispers to (a supervisor coaching an agent).
 */
public enum MixRole {
    /** Hears all, heard by all (a conference member, a supervisor barging in). */
    PARTICIPANT,
    /** Hears all, heard by none (a conference member muted by the host). */
    MUTED,
    /** Hears all, heard by none (a supervisor listening in). */
    LISTENER,
    /** Hears all, heard only by the member it whispers to. */
    WHISPERER
}
