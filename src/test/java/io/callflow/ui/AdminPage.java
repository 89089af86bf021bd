package io.callflow.ui;

import java.util.List;

import io.callflow.support.Browser;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/** The administration pages: the entries of one kind, and the form that creates, edits or shows one. */
final class AdminPage {

    private final Browser browser;

    AdminPage(Browser browser) {
        this.browser = browser;
    }

    static AdminPage open(Browser browser, String baseUrl, String kind) {
        browser.driver().get(baseUrl + "/ui/#/admin/" + kind);
        AdminPage page = new AdminPage(browser);
        browser.await(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector(".tabs a[aria-current='page'][href='#/admin/" + kind + "']")));
        page.awaitList();
        return page;
    }

    void awaitList() {
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("admin-entries")));
    }

    List<String> keys() {
        return browser.driver().findElements(By.cssSelector("#admin-entries tbody tr")).stream()
                .map(row -> row.getAttribute("data-key")).toList();
    }

    /** The text of an entry's row (its columns and "managed by"). */
    String row(String key) {
        return browser.driver().findElement(By.cssSelector("#admin-entries tr[data-key='" + key + "']")).getText();
    }

    void create() {
        browser.driver().findElement(By.id("new-entry")).click();
        awaitForm();
    }

    /** Opens an entry's form with its Edit (or, for a read-only one, View) link. */
    void open(String key) {
        browser.driver().findElement(By.cssSelector("#admin-entries tr[data-key='" + key + "'] a")).click();
        awaitForm();
    }

    void fill(String field, String value) {
        WebElement input = field(field);
        input.clear();
        input.sendKeys(value);
    }

    void choose(String field, String option) {
        new Select(field(field)).selectByVisibleText(option);
    }

    void save() {
        browser.driver().findElement(By.id("save")).click();
    }

    /** The error shown next to a field, once there is one. */
    String errorAt(String field) {
        return browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("error-" + field))).getText();
    }

    boolean isInvalid(String field) {
        return "true".equals(field(field).getAttribute("aria-invalid"));
    }

    void delete(String key) {
        browser.driver().findElement(By.cssSelector("#admin-entries tr[data-key='" + key + "'] button.danger")).click();
        browser.await(ExpectedConditions.alertIsPresent()).accept();
        browser.await(ExpectedConditions.numberOfElementsToBe(
                By.cssSelector("#admin-entries tr[data-key='" + key + "']"), 0));
    }

    boolean hasDeleteButton(String key) {
        return !browser.driver().findElements(By.cssSelector("#admin-entries tr[data-key='" + key + "'] button.danger"))
                .isEmpty();
    }

    /** Whether the open form lets the user change anything: an enabled input and a Save button. */
    boolean formIsEditable() {
        boolean anyEnabled = browser.driver().findElements(By.cssSelector("#entry-form input, #entry-form select"))
                .stream().anyMatch(WebElement::isEnabled);
        return anyEnabled || !browser.driver().findElements(By.id("save")).isEmpty();
    }

    String fileOwnedNotice() {
        return browser.driver().findElement(By.id("file-owned")).getText();
    }

    String flash() {
        return browser.await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#admin-feedback .message")))
                .getText();
    }

    private WebElement field(String name) {
        return browser.driver().findElement(By.id("field-" + name));
    }

    private void awaitForm() {
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("entry-form")));
    }
}
