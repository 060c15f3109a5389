//! A small harness around tauri-driver and thirtyfour: start the driver, open sessions on the
//! app binary, wait for elements, and stop every process this test started.
//!
//! Every scenario gets its own driver (own ports) and its own home folder, so no scenario sees
//! another's data; clicks wait until the control is in view, enabled and not covered; waits are
//! for states, never fixed sleeps; a failure keeps a screenshot, the page's HTML and the app log.
//!
//! On Windows (tauri-driver + Microsoft Edge WebDriver, through WebView2) the app finds its folders
//! through the shell (the user's AppData), not through HOME or the XDG variables, so scenarios
//! share the real folders instead: the harness empties them before each scenario, and only when
//! `E2E_CLEAR_APP_DATA=1` allows it (CI sets it), since they hold a developer's own data too.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use thirtyfour::prelude::*;
use thirtyfour::Key;

const WAIT: Duration = Duration::from_secs(30);

pub struct App {
    driver: Child,
    home: tempfile::TempDir,
    port: u16,
    /// Where a failing session leaves its screenshot, page HTML and app log.
    artefacts: PathBuf,
    sessions: AtomicUsize,
    /// What the open session was last asked to do, and its driver: when a scenario runs out of
    /// time, the harness can say where it hung and still keep what the window showed.
    last_step: Arc<Mutex<String>>,
    open: Mutex<Option<(WebDriver, PathBuf)>>,
}

/// A port nothing listens on right now (the OS picks it).
fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).map_err(|e| e.to_string())?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

impl App {
    /// Starts tauri-driver for `scenario` with a fresh home (data, config and cache folders of its
    /// own), the Practice connection pointed at `sandbox_url`, and `env` for the app (a GTK theme).
    pub async fn start(scenario: &str, sandbox_url: &str, env: &[(&str, &str)]) -> Result<App, String> {
        let home = tempfile::tempdir().map_err(|e| e.to_string())?;
        if cfg!(windows) {
            clear_windows_app_folders().await?;
        }
        let (port, native_port) = (free_port()?, free_port()?);
        let artefacts = target_dir().join("e2e-failures").join(scenario);
        let _ = std::fs::remove_dir_all(&artefacts);
        let driver = Command::new("tauri-driver")
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .envs(env.iter().copied())
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
        let app = App {
            driver,
            home,
            port,
            artefacts,
            sessions: AtomicUsize::new(0),
            last_step: Arc::default(),
            open: Mutex::new(None),
        };
        // tauri-driver proxies to WebKitWebDriver; under load the second can lag.
        for port in [port, native_port] {
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

    /// The data folder the app writes to (its profiles live in `com.switchboard.desk/`): the
    /// scenario's XDG data folder, or on Windows the user's roaming AppData.
    pub fn data_dir(&self) -> std::path::PathBuf {
        if cfg!(windows) {
            windows_folder("APPDATA")
        } else {
            self.home.path().join("data")
        }
    }

    /// Where the app's log files are, somewhere below: the data folder, or on Windows the app's
    /// folder in the user's local AppData (tauri-plugin-log's LogDir there is `…\logs`).
    pub fn log_root(&self) -> PathBuf {
        if cfg!(windows) {
            windows_folder("LOCALAPPDATA").join(IDENTIFIER).join("logs")
        } else {
            self.data_dir()
        }
    }

    /// Every folder the app writes its own files to (not the webview's): its data folder and,
    /// on Windows, where its logs go.
    pub fn app_folders(&self) -> Vec<PathBuf> {
        let mut folders = vec![self.data_dir().join(IDENTIFIER)];
        if cfg!(windows) {
            folders.push(self.log_root());
        }
        folders
    }

    /// Starts the app binary a second time, as a user double-clicking it again would, with the
    /// same folders as the window under test; returns its exit status.
    pub async fn start_again(&self) -> Result<std::process::ExitStatus, String> {
        let mut child = self.launch(&[], Stdio::null())?;
        match exit_within(&mut child, WAIT).await? {
            Some(status) => Ok(status),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                Err("a second start opened another window instead of handing over".into())
            }
        }
    }

    /// Starts the app binary itself, without a driver, with the same folders as the window under
    /// test and `env` on top; its stderr goes to `stderr`.
    pub fn launch(&self, env: &[(&str, &std::ffi::OsStr)], stderr: Stdio) -> Result<Child, String> {
        Command::new(env!("CARGO_BIN_EXE_switchboard"))
            .env("HOME", self.home.path())
            .env("XDG_DATA_HOME", self.home.path().join("data"))
            .env("XDG_CONFIG_HOME", self.home.path().join("config"))
            .env("XDG_CACHE_HOME", self.home.path().join("cache"))
            .env("NO_AT_BRIDGE", "1")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .map_err(|e| format!("can't start the app: {e}"))
    }

    /// The scenario's home folder (the app's HOME and XDG folders are below it).
    pub fn home(&self) -> &std::path::Path {
        self.home.path()
    }

    /// The config folder the app writes window state to: the scenario's XDG config folder, or
    /// on Windows the user's roaming AppData.
    pub fn config_dir(&self) -> PathBuf {
        if cfg!(windows) {
            windows_folder("APPDATA")
        } else {
            self.home.path().join("config")
        }
    }

    /// A new WebDriver session: a fresh app window.
    pub async fn session(&self) -> Result<Session, String> {
        let mut capabilities = Capabilities::new();
        capabilities.set("browserName", "wry").map_err(|e| e.to_string())?;
        let application = env!("CARGO_BIN_EXE_switchboard");
        capabilities
            .set("tauri:options", serde_json::json!({ "application": application }))
            .map_err(|e| e.to_string())?;
        let mut last_error = String::new();
        *self.last_step.lock().unwrap() = "open a WebDriver session (start the app)".into();
        for _ in 0..3 {
            let url = format!("http://127.0.0.1:{}", self.port);
            let opened = match tokio::time::timeout(WAIT, WebDriver::new(url, capabilities.clone())).await {
                Ok(result) => result.map_err(|e| e.to_string()),
                Err(_) => Err("no answer within 30 s".to_string()),
            };
            match opened {
                Ok(driver) => {
                    let number = self.sessions.fetch_add(1, Ordering::Relaxed) + 1;
                    let artefacts = self.artefacts.join(format!("session-{number}"));
                    *self.open.lock().unwrap() = Some((driver.clone(), artefacts.clone()));
                    return Ok(Session {
                        driver,
                        artefacts,
                        log_root: self.log_root(),
                        last_step: self.last_step.clone(),
                    });
                }
                Err(error) => {
                    last_error = error;
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
        Err(format!("could not open the app through WebDriver: {last_error}"))
    }

    /// After a scenario ran out of time: where it was, and the last session's screenshot, page HTML
    /// and app log (each WebDriver call bounded, since the driver may be what hung).
    pub async fn report_hang(&self) -> String {
        let step = self.last_step.lock().unwrap().clone();
        let open = self.open.lock().unwrap().clone();
        let kept = match open {
            Some((driver, dir)) => keep_artefacts(&driver, &dir, &self.log_root(), Duration::from_secs(10)).await,
            None => "nothing (no session was open)".into(),
        };
        format!("last step: {step}\n    (kept: {kept})")
    }

    /// SIGTERM, not SIGKILL: a killed tauri-driver orphans WebKitWebDriver and its port. Then
    /// waits until no window of the app is left: the app is single-instance, so a window still
    /// closing would take over the next scenario's start (which would then hand over and quit).
    /// On Windows tauri-driver runs in a job object that ends everything it started
    /// (msedgedriver, the app) when tauri-driver ends, and there is no SIGTERM: it is ended.
    pub fn stop(mut self) {
        if cfg!(windows) {
            let _ = self.driver.kill();
            let _ = self.driver.wait();
        } else {
            let _ = Command::new("kill").arg("-TERM").arg(self.driver.id().to_string()).status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline && !matches!(self.driver.try_wait(), Ok(Some(_))) {
                std::thread::sleep(Duration::from_millis(100));
            }
            if !matches!(self.driver.try_wait(), Ok(Some(_))) {
                let _ = self.driver.kill();
                let _ = self.driver.wait();
            }
        }
        let binary = env!("CARGO_BIN_EXE_switchboard");
        let deadline = Instant::now() + Duration::from_secs(10);
        while app_running(binary) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        if app_running(binary) {
            end_app(binary);
        }
    }
}

pub struct Session {
    driver: WebDriver,
    artefacts: PathBuf,
    /// Where the app's log files are, somewhere below (kept with a failure).
    log_root: PathBuf,
    last_step: Arc<Mutex<String>>,
}

/// Brings the element into view if it is not (to the middle of the window, clear of the sticky
/// header) and says whether a click there would reach it: "ok", or what is wrong ("disabled",
/// "covered by <header …>", "no size"). A visible element is not scrolled: a person doesn't scroll
/// the page to click what they see, and a page scroll closes an open list (React Aria closes
/// popovers when the page scrolls under them).
const PREPARE_CLICK: &str = r#"
const element = arguments[0];
const header = document.querySelector(".app-header")?.getBoundingClientRect().bottom ?? 0;
const before = element.getBoundingClientRect();
if (before.top < header || before.bottom > window.innerHeight || before.left < 0 || before.right > window.innerWidth) {
  element.scrollIntoView({ block: "center", inline: "nearest" });
}
const rect = element.getBoundingClientRect();
if (rect.width === 0 || rect.height === 0) return "no size";
if (element.disabled || element.getAttribute("aria-disabled") === "true" || element.closest("[data-disabled]")) return "disabled";
const x = rect.left + rect.width / 2, y = rect.top + rect.height / 2;
const hit = document.elementFromPoint(x, y);
if (hit === element || element.contains(hit) || (hit && hit.contains(element) && hit.tagName === "LABEL")) return "ok";
if (hit && element.tagName === "INPUT" && hit.closest("label") === element.closest("label")) return "ok";
return hit ? "covered by <" + hit.tagName.toLowerCase() + " class='" + hit.className + "'>" : "outside the window";
"#;

impl Session {
    pub async fn wait_for(&self, css: &str) -> Result<WebElement, String> {
        self.step(format!("wait for {css}"));
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
        self.step(format!("wait for {css} to contain {needle:?}"));
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

    /// Waits until the element's attribute contains `needle`; returns the whole value.
    pub async fn wait_for_attribute(&self, css: &str, attribute: &str, needle: &str) -> Result<String, String> {
        self.step(format!("wait for {css} [{attribute}] to contain {needle:?}"));
        let deadline = Instant::now() + WAIT;
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(element) = self.driver.find(By::Css(css)).await {
                last = element.attr(attribute).await.ok().flatten().unwrap_or_default();
                if last.contains(needle) {
                    return Ok(last);
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("{css} [{attribute}] never contained {needle:?} (last: {last:?})"))
    }

    /// What the header says a save would go to (every name whole, as a screen reader reads it;
    /// the visible line may cut long names with an ellipsis).
    pub async fn wait_for_context(&self, needle: &str) -> Result<String, String> {
        self.wait_for_attribute("[data-context]", "aria-label", needle).await
    }

    /// How many elements match `css` now.
    pub async fn count(&self, css: &str) -> Result<usize, String> {
        self.driver.find_all(By::Css(css)).await.map(|found| found.len()).map_err(|e| e.to_string())
    }

    /// Waits until nothing matches `css` (a failure mark cleared, a busy state over).
    pub async fn wait_gone(&self, css: &str) -> Result<(), String> {
        self.step(format!("wait for {css} to go"));
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if !self.exists(css).await? {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("{css} was still there after {} s", WAIT.as_secs()))
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
        self.click_by(By::Css(css), css).await
    }

    pub async fn click_xpath(&self, xpath: &str) -> Result<(), String> {
        self.click_by(By::XPath(xpath), xpath).await
    }

    /// Clicks as a person would: once the element is shown, scrolled clear of the sticky header,
    /// enabled and not covered. Until then (or while a click is intercepted by something settling
    /// on top), it waits and looks again, up to the usual limit.
    async fn click_by(&self, by: By, what: &str) -> Result<(), String> {
        self.step(format!("click {what}"));
        let deadline = Instant::now() + WAIT;
        let mut last = String::from("never shown");
        while Instant::now() < deadline {
            let element = match self.driver.query(by.clone()).nowait().and_displayed().first().await {
                Ok(element) => element,
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            let json = element.to_json().map_err(|e| e.to_string())?;
            match self.driver.execute(PREPARE_CLICK, vec![json]).await {
                Ok(ret) if ret.json().as_str() == Some("ok") => match element.click().await {
                    Ok(()) => return Ok(()),
                    Err(error) => last = format!("click failed: {error}"),
                },
                Ok(ret) => last = ret.json().as_str().unwrap_or("not clickable").to_string(),
                // The element went away between finding and checking it (a re-render): look again.
                Err(error) => last = error.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("can't click {what}: {last}"))
    }

    /// Runs a script in the window and returns its result as JSON.
    pub async fn script(&self, script: &str) -> Result<serde_json::Value, String> {
        self.step(format!("run script {:?}", script.chars().take(80).collect::<String>()));
        self.driver.execute(script, Vec::new()).await.map(|ret| ret.json().clone()).map_err(|e| e.to_string())
    }

    /// Waits until the window has painted what the DOM holds now (two animation frames).
    pub async fn painted(&self) -> Result<(), String> {
        self.step("wait for two painted frames");
        let script = "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));";
        self.driver.execute_async(script, Vec::new()).await.map(|_| ()).map_err(|e| e.to_string())
    }

    /// Selects everything in an input and types over it, as a person would.
    pub async fn replace_text(&self, css: &str, text: &str) -> Result<(), String> {
        self.step(format!("type {text:?} into {css}"));
        self.click(css).await?;
        let input = self.wait_for(css).await?;
        input.send_keys(Key::Control + "a").await.map_err(|e| e.to_string())?;
        input.send_keys(Key::Backspace).await.map_err(|e| e.to_string())?;
        input.send_keys(text).await.map_err(|e| e.to_string())
    }

    /// Picks an entry in a combo box by typing and clicking the option, as a person would; the
    /// popover can still be settling when the option first appears, so if the input does not
    /// come to show the choice it types and picks again.
    pub async fn choose(&self, css: &str, typed: &str, option_text: &str) -> Result<(), String> {
        let xpath = format!("//*[@role='option'][contains(., '{option_text}')]");
        for _ in 0..3 {
            self.replace_text(css, typed).await?;
            self.click_xpath(&xpath).await?;
            if self.wait_for_value(css, option_text, Duration::from_secs(3)).await.is_ok() {
                return Ok(());
            }
        }
        Err(format!("{css} never showed {option_text:?} (it shows {:?})", self.value(css).await?))
    }

    /// Waits until an input holds exactly `expected`.
    pub async fn wait_for_value(&self, css: &str, expected: &str, within: Duration) -> Result<(), String> {
        let deadline = Instant::now() + within;
        let mut last = String::new();
        while Instant::now() < deadline {
            last = self.value(css).await?;
            if last == expected {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("{css} holds {last:?}, not {expected:?}"))
    }

    /// Waits until the focused element matches `css` (where the app moves focus after an action).
    pub async fn wait_for_focus(&self, css: &str) -> Result<(), String> {
        let script = format!("return document.activeElement?.matches({}) ?? false", serde_json::json!(css));
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if self.script(&script).await? == serde_json::json!(true) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("focus never reached {css}"))
    }

    /// Back to the top of the window, as a person scrolls up: WebDriver's own scrolling can leave
    /// a control under the sticky header.
    pub async fn scroll_to_top(&self) -> Result<(), String> {
        self.driver.execute("window.scrollTo(0, 0)", Vec::new()).await.map(|_| ()).map_err(|e| e.to_string())
    }

    /// Resizes the app window the way a window manager does, through X (xdotool). WebDriver's
    /// own "set window rect" waits for a confirmation that Xvfb without a window manager does
    /// not always send, and once hung the suite. On Windows, through the window itself
    /// (`SetWindowPos`), so that its client area, the page, gets the size.
    pub async fn resize(&self, width: u32, height: u32) -> Result<(), String> {
        self.step(format!("resize to {width}×{height}"));
        let resize = tokio::task::spawn_blocking(move || resize_window(width, height));
        match tokio::time::timeout(WAIT, resize).await {
            Ok(Ok(result)) => result,
            _ if cfg!(windows) => Err("the window did not finish resizing".into()),
            _ => Err("xdotool did not finish resizing the window".into()),
        }
    }

    pub async fn screenshot(&self, name: &str) -> Result<(), String> {
        self.step(format!("screenshot {name}"));
        // A screenshot right after an assertion can show the previous frame.
        self.painted().await?;
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        self.driver.screenshot(&dir.join(name)).await.map_err(|e| format!("screenshot {name}: {e}"))
    }

    /// Ends the session; on failure, keeps what the window showed (screenshot), the page's HTML
    /// and the app's log under `target/e2e-failures/<scenario>/session-N/`, and names the folder.
    pub async fn finish(self, result: Result<(), String>) -> Result<(), String> {
        let result = match result {
            Ok(()) => Ok(()),
            Err(message) => Err(format!("{message}\n    (kept: {})", self.keep_artefacts().await)),
        };
        let _ = self.driver.quit().await;
        result
    }

    async fn keep_artefacts(&self) -> String {
        keep_artefacts(&self.driver, &self.artefacts, &self.log_root, WAIT).await
    }

    /// Notes what the session is doing, for the report when a scenario runs out of time.
    fn step(&self, what: impl Into<String>) {
        *self.last_step.lock().unwrap() = what.into();
    }
}

/// Saves the window's screenshot, the page's HTML and the app's log files (found below
/// `log_root`) into `dir`, each WebDriver call bounded by `within`; returns the folder (or why
/// nothing was kept).
async fn keep_artefacts(
    driver: &WebDriver,
    dir: &std::path::Path,
    log_root: &std::path::Path,
    within: Duration,
) -> String {
    if let Err(error) = std::fs::create_dir_all(dir) {
        return format!("nothing, {}: {error}", dir.display());
    }
    if let Ok(Ok(png)) = tokio::time::timeout(within, driver.screenshot_as_png()).await {
        let _ = std::fs::write(dir.join("screenshot.png"), png);
    }
    if let Ok(Ok(html)) = tokio::time::timeout(within, driver.source()).await {
        let _ = std::fs::write(dir.join("page.html"), html);
    }
    for log in files_below(log_root).into_iter().filter(|f| f.extension().is_some_and(|e| e == "log")) {
        if let Some(name) = log.file_name() {
            let _ = std::fs::copy(&log, dir.join(name));
        }
    }
    dir.display().to_string()
}

/// Resizes every window titled "Switchboard" through X, with xdotool (see `Session::resize`).
#[cfg(not(windows))]
fn resize_window(width: u32, height: u32) -> Result<(), String> {
    let status = Command::new("xdotool")
        .args(["search", "--name", "^Switchboard$", "windowsize", "%@", &width.to_string(), &height.to_string()])
        .status();
    match status {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!("xdotool could not resize the window: {status}")),
        Err(error) => Err(format!("can't run xdotool: {error}")),
    }
}

#[cfg(windows)]
fn resize_window(width: u32, height: u32) -> Result<(), String> {
    win32::resize(width, height)
}

/// How `child` exited, if it does within `within` (polled every 100 ms); it is left running if not.
pub async fn exit_within(child: &mut Child, within: Duration) -> Result<Option<std::process::ExitStatus>, String> {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            return Ok(Some(status));
        }
        if Instant::now() > deadline {
            return Ok(None);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The X ids of the viewable windows titled exactly `title` (xdotool; none is not an error).
#[cfg(not(windows))]
pub fn visible_windows(title: &str) -> Result<Vec<String>, String> {
    let output = Command::new("xdotool")
        .args(["search", "--onlyvisible", "--name", &format!("^{title}$")])
        .output()
        .map_err(|error| format!("can't run xdotool: {error}"))?;
    Ok(String::from_utf8_lossy(&output.stdout).split_whitespace().map(str::to_string).collect())
}

/// Gives X window `id` the keyboard focus and presses `key` there, as a user would (xdotool).
#[cfg(not(windows))]
pub fn press_key_in_window(id: &str, key: &str) -> Result<(), String> {
    // Bounded: `--sync` waits for X to report the focus, and a hung xdotool would hold the suite.
    for args in [vec!["windowfocus", "--sync", id], vec!["key", key]] {
        let status = Command::new("timeout")
            .args(["10", "xdotool"])
            .args(&args)
            .status()
            .map_err(|e| format!("can't run xdotool: {e}"))?;
        if !status.success() {
            return Err(format!("xdotool {} failed: {status}", args.join(" ")));
        }
    }
    Ok(())
}

#[cfg(windows)]
pub fn visible_windows(_title: &str) -> Result<Vec<String>, String> {
    Err("windows are found by their title through X (xdotool), which Windows does not have".into())
}

#[cfg(windows)]
pub fn press_key_in_window(_id: &str, _key: &str) -> Result<(), String> {
    Err("keys are pressed in a window through X (xdotool), which Windows does not have".into())
}

/// The app's bundle identifier: the name of its folders.
pub const IDENTIFIER: &str = "com.switchboard.desk";

/// A folder named by an environment variable of this process (on Windows, `APPDATA` or
/// `LOCALAPPDATA`: the app's folders are below them).
fn windows_folder(variable: &str) -> PathBuf {
    PathBuf::from(std::env::var_os(variable).unwrap_or_default())
}

/// On Windows every scenario shares the user's app folders (see the module notes): empties them
/// before a scenario, when E2E_CLEAR_APP_DATA=1 allows it. WebView2's helper processes can hold
/// files there for a moment after the app has gone, so it tries again for a while.
async fn clear_windows_app_folders() -> Result<(), String> {
    let folders = [windows_folder("APPDATA").join(IDENTIFIER), windows_folder("LOCALAPPDATA").join(IDENTIFIER)];
    if std::env::var("E2E_CLEAR_APP_DATA").as_deref() != Ok("1") {
        return Err(format!(
            "on Windows every scenario starts by deleting {} and {} (the app keeps its data there, \
             whatever the environment says): set E2E_CLEAR_APP_DATA=1 to allow it",
            folders[0].display(),
            folders[1].display()
        ));
    }
    for folder in &folders {
        let deadline = Instant::now() + WAIT;
        loop {
            match std::fs::remove_dir_all(folder) {
                Ok(()) => break,
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => break,
                Err(error) if Instant::now() > deadline => {
                    return Err(format!("could not empty {}: {error}", folder.display()));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    }
    Ok(())
}

/// Whether a process of the app binary is still running.
fn app_running(binary: &str) -> bool {
    if cfg!(windows) {
        let image = std::path::Path::new(binary).file_name().unwrap_or_default().to_string_lossy().to_string();
        Command::new("tasklist")
            .args(["/FI", &format!("IMAGENAME eq {image}"), "/FO", "CSV", "/NH"])
            .output()
            .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).to_lowercase().contains(&image.to_lowercase()))
    } else {
        Command::new("pgrep").args(["-f", binary]).stdout(Stdio::null()).status().is_ok_and(|s| s.success())
    }
}

/// Ends what is left of the app binary: politely first where there is such a thing.
fn end_app(binary: &str) {
    if cfg!(windows) {
        let image = std::path::Path::new(binary).file_name().unwrap_or_default().to_string_lossy().to_string();
        let _ = Command::new("taskkill").args(["/F", "/T", "/IM", &image]).stdout(Stdio::null()).status();
    } else {
        let _ = Command::new("pkill").args(["-TERM", "-f", binary]).status();
        std::thread::sleep(Duration::from_millis(500));
        let _ = Command::new("pkill").args(["-KILL", "-f", binary]).status();
    }
}

/// The few Win32 calls that resize the app window from outside, as a user dragging its border.
#[cfg(windows)]
mod win32 {
    #[repr(C)]
    #[derive(Default)]
    struct Rect {
        left: i32,
        top: i32,
        right: i32,
        bottom: i32,
    }

    // Window handles are pointer-sized; isize stands for HWND.
    #[link(name = "user32")]
    extern "system" {
        fn FindWindowExW(parent: isize, after: isize, class: *const u16, title: *const u16) -> isize;
        fn IsWindowVisible(window: isize) -> i32;
        fn GetWindowRect(window: isize, rect: *mut Rect) -> i32;
        fn GetClientRect(window: isize, rect: *mut Rect) -> i32;
        fn SetWindowPos(window: isize, after: isize, x: i32, y: i32, width: i32, height: i32, flags: u32) -> i32;
    }

    const SWP_NOMOVE: u32 = 0x0002;
    const SWP_NOZORDER: u32 = 0x0004;
    const SWP_NOACTIVATE: u32 = 0x0010;

    /// Gives the visible top-level window titled "Switchboard" a client area (the page) of
    /// `width`×`height`, keeping its position: the frame's size is added to the outer size.
    pub fn resize(width: u32, height: u32) -> Result<(), String> {
        let title: Vec<u16> = "Switchboard".encode_utf16().chain(std::iter::once(0)).collect();
        let mut window = 0;
        loop {
            // SAFETY: `title` is a NUL-terminated UTF-16 string that outlives the call.
            window = unsafe { FindWindowExW(0, window, std::ptr::null(), title.as_ptr()) };
            if window == 0 {
                return Err("no visible window titled Switchboard".into());
            }
            // SAFETY: plain query on a window handle the system just returned.
            if unsafe { IsWindowVisible(window) } != 0 {
                break;
            }
        }
        let (mut outer, mut client) = (Rect::default(), Rect::default());
        // SAFETY: both pointers are to live, writable RECT-shaped structs.
        if unsafe { GetWindowRect(window, &mut outer) == 0 || GetClientRect(window, &mut client) == 0 } {
            return Err("could not read the window's size".into());
        }
        let frame_width = (outer.right - outer.left) - (client.right - client.left);
        let frame_height = (outer.bottom - outer.top) - (client.bottom - client.top);
        let (width, height) = (width as i32 + frame_width, height as i32 + frame_height);
        let flags = SWP_NOMOVE | SWP_NOZORDER | SWP_NOACTIVATE;
        // SAFETY: a size change on a window handle the system returned; no pointers involved.
        if unsafe { SetWindowPos(window, 0, 0, 0, width, height, flags) } == 0 {
            return Err("SetWindowPos refused to resize the window".into());
        }
        Ok(())
    }
}

fn test_path() -> std::ffi::OsString {
    let ours = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/e2e/bin"));
    let rest = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(ours).chain(std::env::split_paths(&rest))).expect("PATH entries are valid")
}

/// The cargo target folder (CARGO_TARGET_DIR when set, as in CI), where screenshots and failure
/// artefacts go.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| [env!("CARGO_MANIFEST_DIR"), "target"].iter().collect())
}

fn screenshot_dir() -> PathBuf {
    std::env::var_os("SWITCHBOARD_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("e2e-screenshots"))
}

pub fn files_below(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}
