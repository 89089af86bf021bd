package io.callflow.api;

import java.time.Clock;

import java.util.List;

import io.callflow.acd.CallbackView;
import io.callflow.acd.QueueStatistics;
import io.callflow.acd.QueuedCallbacks;
import io.callflow.flow.Callbacks;
import org.springframework.http.HttpStatus;
import io.callflow.acd.QueueStats;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Queue statistics for supervisors and the wallboard (an interval's figures, today by default, plus live state), and
 * the callbacks waiting in a queue (listed, cancelled).
 */
@RestController
@RequestMapping(Api.V1 + "/queues")
class QueuesController {

    private final QueueStatistics statistics;
    private final Clock clock;
    private final QueuedCallbacks queued;
    private final Callbacks callbacks;

    QueuesController(QueueStatistics statistics, Clock clock, QueuedCallbacks queued, Callbacks callbacks) {
        this.statistics = statistics;
        this.clock = clock;
        this.queued = queued;
        this.callbacks = callbacks;
    }

    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR')")
    @GetMapping("/{queue}/callbacks")
    List<CallbackView> callbacks(@PathVariable String queue) {
        return queued.open(queue).orElseThrow(() -> new NotFoundException("There is no queue '" + queue + "'"));
    }

    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR')")
    @DeleteMapping("/{queue}/callbacks/{callbackId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void cancelCallback(@PathVariable String queue, @PathVariable String callbackId) {
        CallbackView callback = queued.find(callbackId).filter(found -> found.queue().equals(queue))
                .orElseThrow(() -> new NotFoundException("Queue '" + queue + "' has no callback '" + callbackId + "'"));
        if (!callbacks.cancel(callbackId)) {
            boolean over = callback.endedAt() != null;
            throw new ConflictException("Callback '" + callbackId + "' cannot be cancelled: "
                    + (over ? "it is already " + callback.state() : "an agent is being connected to it"));
        }
    }

    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR')")
    @GetMapping("/{queue}/stats")
    QueueStats stats(@PathVariable String queue, @RequestParam(required = false) String from,
            @RequestParam(required = false) String to) {
        Interval interval = Interval.parse(from, to, clock);
        try {
            return statistics.queue(queue, interval.from(), interval.to());
        } catch (IllegalArgumentException e) {
            throw new NotFoundException("There is no queue '" + queue + "'");
        }
    }
}
