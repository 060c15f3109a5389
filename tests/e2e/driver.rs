//! A small harness around tauri-driver and thirtyfour: start the driver, open sessions on the
//! app binary, wait for elements, and stop every process this test started.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use thirtyfour::prelude::*;
use thirtyfour::Key;

const WAIT: Duration = Duration::from_secs(30);

pub struct App {
    driver: Child,
    home: tempfile::TempDir,
}

impl App {
    /// Starts tauri-driver with an isolated home and the Practice connection pointed at `sandbox_url`.
    pub async fn start(sandbox_url: &str) -> Result<App, String> {
        let home = tempfile::tempdir().map_err(|e| e.to_string())?;
        let driver = Command::new("tauri-driver")
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            .env("NO_AT_BRIDGE", "1")
            .env("SWITCHBOARD_PRACTICE_URL", sandbox_url)
            // "Sign in with Microsoft" opens the sign-in page with xdg-open: tests/e2e/bin has one
            // that plays the browser.
            .env("PATH", test_path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("can't run tauri-driver (cargo install tauri-driver --locked --version '^2'): {e}"))?;
        let app = App { driver, home: home };
        // tauri-driver (4444) proxies to WebKitWebDriver (4445); under load the second can lag.
        for port in [4444, 4445] {
            let deadline = Instant::now() + WAIT;
            while TcpStream::connect(("127.0.0.1", port)).is_err() {
                if Instant::now() > deadline {
                    app.stop();
                    return Err(format!("nothing listens on port {port}"));
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        Ok(app)
    }

    /// A new WebDriver session: a fresh app window.
    /// The XDG data folder the app writes to (its profiles live in `com.switchboard.desk/`).
    pub fn data_dir(&self) -> std::path::PathBuf {
        self.home.path().join("data")
    }

    /// Starts the app binary a second time, as a user double-clicking it again would, with the
    /// same folders as the window under test; returns its exit status.
    pub async fn start_again(&self) -> Result<std::process::ExitStatus, String> {
        let mut child = Command::new(env!("CARGO_BIN_EXE_switchboard"))
            .env("HOME", self.home.path())
            .env("XDG_DATA_HOME", self.home.path().join("data"))
            .env("XDG_CONFIG_HOME", self.home.path().join("config"))
            .env("XDG_CACHE_HOME", self.home.path().join("cache"))
            .env("NO_AT_BRIDGE", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?;
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
                return Ok(status);
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err("a second start opened another window instead of handing over".into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The XDG config folder the app writes window state to.
    pub fn config_dir(&self) -> PathBuf {
        self.home.path().join("config")
    }

    pub async fn session(&self) -> Result<Session, String> {
        let mut capabilities = Capabilities::new();
        capabilities.set("browserName", "wry").map_err(|e| e.to_string())?;
        let application = env!("CARGO_BIN_EXE_switchboard");
        capabilities
            .set("tauri:options", serde_json::json!({ "application": application }))
            .map_err(|e| e.to_string())?;
        let mut last_error = String::new();
        for _ in 0..3 {
            match WebDriver::new("http://127.0.0.1:4444", capabilities.clone()).await {
                Ok(driver) => return Ok(Session { driver }),
                Err(error) => {
                    last_error = error.to_string();
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
        Err(format!("could not open the app through WebDriver: {last_error}"))
    }

    /// SIGTERM, not SIGKILL: a killed tauri-driver orphans WebKitWebDriver and its port.
    pub fn stop(mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.driver.id().to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.driver.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

pub struct Session {
    driver: WebDriver,
}

impl Session {
    pub async fn wait_for(&self, css: &str) -> Result<WebElement, String> {
        self.driver
            .query(By::Css(css))
            .wait(WAIT, Duration::from_millis(100))
            .and_displayed()
            .first()
            .await
            .map_err(|e| format!("{css} did not appear: {e}"))
    }

    /// Waits until the element's text contains `needle`; returns the whole text.
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> Result<String, String> {
        let deadline = Instant::now() + WAIT;
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(element) = self.driver.find(By::Css(css)).await {
                last = element.text().await.unwrap_or_default();
                if last.contains(needle) {
                    return Ok(last);
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("{css} never contained {needle:?} (last text: {last:?})"))
    }

    pub async fn exists(&self, css: &str) -> Result<bool, String> {
        Ok(!self.driver.find_all(By::Css(css)).await.map_err(|e| e.to_string())?.is_empty())
    }

    pub async fn text(&self, css: &str) -> Result<String, String> {
        self.wait_for(css).await?.text().await.map_err(|e| e.to_string())
    }

    pub async fn value(&self, css: &str) -> Result<String, String> {
        let element = self.wait_for(css).await?;
        Ok(element.prop("value").await.map_err(|e| e.to_string())?.unwrap_or_default())
    }

    pub async fn click(&self, css: &str) -> Result<(), String> {
        self.wait_for(css).await?.click().await.map_err(|e| format!("can't click {css}: {e}"))
    }

    pub async fn click_xpath(&self, xpath: &str) -> Result<(), String> {
        let element = self
            .driver
            .query(By::XPath(xpath))
            .wait(WAIT, Duration::from_millis(100))
            .and_displayed()
            .first()
            .await
            .map_err(|e| format!("{xpath} did not appear: {e}"))?;
        element.click().await.map_err(|e| format!("can't click {xpath}: {e}"))
    }

    /// Selects everything in an input and types over it, as a person would.
    pub async fn replace_text(&self, css: &str, text: &str) -> Result<(), String> {
        let input = self.wait_for(css).await?;
        input.click().await.map_err(|e| e.to_string())?;
        input.send_keys(Key::Control + "a").await.map_err(|e| e.to_string())?;
        input.send_keys(Key::Backspace).await.map_err(|e| e.to_string())?;
        input.send_keys(text).await.map_err(|e| e.to_string())
    }

    /// Picks an entry in a combo box by typing and clicking the option, as a person would; the
    /// popover can still be settling when the option first appears, so it retries until the
    /// input shows the choice.
    pub async fn choose(&self, css: &str, typed: &str, option_text: &str) -> Result<(), String> {
        let xpath = format!("//*[@role='option'][contains(., '{option_text}')]");
        for _ in 0..3 {
            self.replace_text(css, typed).await?;
            self.click_xpath(&xpath).await?;
            tokio::time::sleep(Duration::from_millis(300)).await;
            if self.value(css).await? == option_text {
                return Ok(());
            }
        }
        Err(format!("{css} never showed {option_text:?} (it shows {:?})", self.value(css).await?))
    }

    /// Back to the top of the window, as a person scrolls up: WebDriver's own scrolling can leave
    /// a control under the sticky header.
    pub async fn scroll_to_top(&self) -> Result<(), String> {
        self.driver.execute("window.scrollTo(0, 0)", Vec::new()).await.map(|_| ()).map_err(|e| e.to_string())
    }

    /// Resizes the app window the way a window manager does, through X (xdotool). WebDriver's
    /// own "set window rect" waits for a confirmation that Xvfb without a window manager does
    /// not always send, and once hung the suite.
    pub async fn resize(&self, width: u32, height: u32) -> Result<(), String> {
        let resize = tokio::task::spawn_blocking(move || {
            Command::new("xdotool")
                .args([
                    "search",
                    "--name",
                    "^Switchboard$",
                    "windowsize",
                    "%@",
                    &width.to_string(),
                    &height.to_string(),
                ])
                .status()
        });
        match tokio::time::timeout(WAIT, resize).await {
            Ok(Ok(Ok(status))) if status.success() => Ok(()),
            Ok(Ok(Ok(status))) => Err(format!("xdotool could not resize the window: {status}")),
            Ok(Ok(Err(error))) => Err(format!("can't run xdotool: {error}")),
            _ => Err("xdotool did not finish resizing the window".into()),
        }
    }

    pub async fn screenshot(&self, name: &str) -> Result<(), String> {
        // A screenshot right after an assertion can show the previous frame.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        self.driver.screenshot(&dir.join(name)).await.map_err(|e| format!("screenshot {name}: {e}"))
    }

    /// Ends the session; on failure, keeps a screenshot of what the window showed.
    pub async fn finish(self, result: Result<(), String>) -> Result<(), String> {
        if result.is_err() {
            let _ = self.screenshot("failure.png").await;
        }
        let _ = self.driver.quit().await;
        result
    }
}

fn test_path() -> std::ffi::OsString {
    let ours = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/e2e/bin"));
    let rest = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(ours).chain(std::env::split_paths(&rest))).expect("PATH entries are valid")
}

fn screenshot_dir() -> PathBuf {
    std::env::var_os("SWITCHBOARD_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| [env!("CARGO_MANIFEST_DIR"), "target", "e2e-screenshots"].iter().collect())
}
