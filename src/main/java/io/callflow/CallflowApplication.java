package io.callflow;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Callflow's entry point: one Spring Boot application hosting every module. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class CallflowApplication {

    public static void main(String[] args) {
        SpringApplication.run(CallflowApplication.class, args);
    }
}
