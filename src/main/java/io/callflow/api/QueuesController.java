package io.callflow.api;

import java.time.Clock;

import io.callflow.acd.QueueStatistics;
import io.callflow.acd.QueueStats;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Queue statistics for supervisors and the wallboard: an interval's figures (today by default) plus live state. */
@RestController
@RequestMapping(Api.V1 + "/queues")
class QueuesController {

    private final QueueStatistics statistics;
    private final Clock clock;

    QueuesController(QueueStatistics statistics, Clock clock) {
        this.statistics = statistics;
        this.clock = clock;
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
