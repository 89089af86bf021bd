/** Automatic call distribution: agents, skills, queues, agent states, reservation and statistics. */
package io.callflow.acd;
