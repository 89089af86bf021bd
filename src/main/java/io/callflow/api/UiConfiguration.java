package io.callflow.api;

import io.callflow.platform.ContentProperties;
import org.springframework.boot.autoconfigure.jersey.ResourceConfigCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.CacheControl;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Serves {@code ui/} at {@code /ui/} (the directory on disk first, then the copy packaged in the jar) and sends
 * {@code /} to its start page; gives Camunda's REST API an index at {@code /engine-rest/}.
 */
@Configuration(proxyBeanMethods = false)
class UiConfiguration implements WebMvcConfigurer {

    private final ContentProperties content;

    UiConfiguration(ContentProperties content) {
        this.content = content;
    }

    @Bean
    ResourceConfigCustomizer engineRestIndex() {
        return config -> config.register(EngineRestIndex.class);
    }

    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        String diskLocation = content.ui().absoluteDirectory().toUri().toString();
        // no-cache: the browser revalidates each file (a 304 when unchanged), so an edit on disk shows at the next load
        // instead of after a heuristic cache lifetime; the pages are small ES modules without hashed file names.
        registry.addResourceHandler("/ui/**")
                .addResourceLocations(diskLocation.endsWith("/") ? diskLocation : diskLocation + "/", "classpath:/ui/")
                .setCacheControl(CacheControl.noCache());
    }

    @Override
    public void addViewControllers(ViewControllerRegistry registry) {
        registry.addRedirectViewController("/", "/ui/");
        registry.addRedirectViewController("/ui", "/ui/");
        registry.addViewController("/ui/").setViewName("forward:/ui/index.html");
    }
}
