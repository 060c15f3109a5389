//! `switchboard-sandbox [--port N]`: the vendor sandbox on its own, for manual testing.

use std::net::SocketAddr;
use switchboard_sandbox::{avepoint, Sandbox, PRACTICE_CLIENT_ID, PRACTICE_CLIENT_SECRET};

#[tokio::main]
async fn main() {
    let mut port: u16 = 8787;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--port", Some(value)) => match value.parse() {
                Ok(value) => port = value,
                Err(_) => fail(&format!("--port needs a number from 0 to 65535, not \"{value}\"")),
            },
            _ => fail("usage: switchboard-sandbox [--port N]   (N = 0 picks a free port)"),
        }
    }
    let sandbox = match Sandbox::start_on(SocketAddr::from(([127, 0, 0, 1], port))).await {
        Ok(sandbox) => sandbox,
        Err(error) => fail(&format!("can't listen on 127.0.0.1:{port}: {error}")),
    };
    // Standing in for Practice: the same people at every vendor, as the app's own sandbox has.
    sandbox.state().seed_people();
    let sample = avepoint::sample_user();
    println!("Switchboard sandbox listening on {}", sandbox.url());
    println!("AvePoint   API      {}", sandbox.avepoint_api_url());
    println!("           identity {}", sandbox.avepoint_identity_url());
    println!("           client id {PRACTICE_CLIENT_ID}  secret {PRACTICE_CLIENT_SECRET}  (sandbox only)");
    println!("           sample user: customer {} tenant {} user {}", sample.0, sample.1, sample.2);
    println!(
        "MSP360     API      {}   login {}  password {}  (sandbox only)   sample user {}",
        sandbox.msp360_url(),
        switchboard_sandbox::msp360::PRACTICE_USER_NAME,
        switchboard_sandbox::msp360::PRACTICE_PASSWORD,
        switchboard_sandbox::msp360::sample_user_id()
    );
    let (swo_account, swo_user) = switchboard_sandbox::softwareone::sample_user();
    println!(
        "SoftwareOne API      {}   token {}  (sandbox only)   sample account {} user {}",
        sandbox.softwareone_url(),
        switchboard_sandbox::softwareone::PRACTICE_TOKEN,
        swo_account,
        swo_user
    );
    let (pc_customer, pc_user) = switchboard_sandbox::partner_center::sample_user();
    println!(
        "Partner Center API   {}   sign-in {}   tenant {}  client id {}   sample customer {} user {}",
        sandbox.partner_center_api_url(),
        sandbox.entra_url(),
        switchboard_sandbox::partner_center::PRACTICE_TENANT_ID,
        switchboard_sandbox::partner_center::PRACTICE_CLIENT_ID,
        pc_customer,
        pc_user
    );
    println!(
        "People     Northwind Traders ({}) at all four vendors: Anna Berg, Tom Eriksen, Maria Lopez",
        switchboard_sandbox::people::DOMAIN
    );
    println!("Press Ctrl+C to stop.");
    let _ = tokio::signal::ctrl_c().await;
}

fn fail(message: &str) -> ! {
    eprintln!("switchboard-sandbox: {message}");
    std::process::exit(2)
}
