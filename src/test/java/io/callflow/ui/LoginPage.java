package io.callflow.ui;

import io.callflow.support.Browser;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/** The sign-in page: what a user does there is sign in, with the mouse or with the keyboard alone. */
final class LoginPage {

    private final Browser browser;

    private LoginPage(Browser browser) {
        this.browser = browser;
    }

    /** Opens the UI's root with no one signed in; it shows the sign-in form. */
    static LoginPage open(Browser browser, String baseUrl) {
        browser.openFresh(baseUrl + "/");
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("login-user")));
        return new LoginPage(browser);
    }

    void signIn(String user, String password) {
        browser.driver().findElement(By.id("login-user")).sendKeys(user);
        browser.driver().findElement(By.id("login-password")).sendKeys(password);
        browser.driver().findElement(By.id("login-submit")).click();
    }

    /** Signs in and waits until the role's start page is open (so that the next navigation is not overtaken). */
    void signInAndLand(String user, String password) {
        signIn(user, password);
        browser.await(driver -> !driver.findElements(By.id("sign-out")).isEmpty()
                && !driver.getCurrentUrl().matches(".*#/(login)?$")
                && !driver.findElements(By.cssSelector("main h1")).isEmpty()
                && !driver.findElement(By.cssSelector("main h1")).getText().equals("Sign in"));
    }

    /** Types into whatever has the focus, moving with Tab and submitting with Enter, as a keyboard-only user does. */
    void signInWithKeyboard(String user, String password) {
        focused().sendKeys(user);
        focused().sendKeys(Keys.TAB);
        focused().sendKeys(password);
        focused().sendKeys(Keys.ENTER);
    }

    WebElement focused() {
        return browser.driver().switchTo().activeElement();
    }

    /** The error the form shows, once it shows one. */
    String error() {
        return browser.await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#login-feedback .error")))
                .getText();
    }

    /** The heading of the page the user landed on after signing in. */
    String landedOn(String expectedHeading) {
        browser.await(ExpectedConditions.textToBe(By.cssSelector("main h1"), expectedHeading));
        return browser.driver().getCurrentUrl();
    }
}
