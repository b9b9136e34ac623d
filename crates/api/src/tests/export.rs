//! CSV export streams every page, header once, rows in order, fields quoted; JSON Lines replay.

use super::*;
use expect_test::expect;

const DEV: &str = "/api/missions/sentinel-x/envs/dev";

#[tokio::test]
async fn csv_streams_every_page_in_order_with_one_header() {
    let (router, _) = open_app();
    let reply = get(&router, &format!("{DEV}/samples?parameters=BAT/V&limit=2&format=csv")).await;
    assert_eq!(reply.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    expect![[r#"
        200 time_utc,time_ms,parameter,raw,eng,level,valid
        1970-01-01T00:00:00.000Z,0,BAT/V,0,0.0,normal,true
        1970-01-01T00:00:01.000Z,1000,BAT/V,1,1.0,normal,true
        1970-01-01T00:00:02.000Z,2000,BAT/V,2,2.0,normal,true
        1970-01-01T00:00:03.000Z,3000,BAT/V,3,3.0,normal,true
        1970-01-01T00:00:04.000Z,4000,BAT/V,4,4.0,normal,true
    "#]]
    .assert_eq(&reply.to_string());
}

#[tokio::test]
async fn csv_starts_at_the_cursor_given() {
    let (router, _) = open_app();
    let reply = get(&router, &format!("{DEV}/samples?parameters=BAT/V&limit=1&cursor=3&format=csv")).await;
    expect![[r#"
        200 time_utc,time_ms,parameter,raw,eng,level,valid
        1970-01-01T00:00:03.000Z,3000,BAT/V,3,3.0,normal,true
        1970-01-01T00:00:04.000Z,4000,BAT/V,4,4.0,normal,true
    "#]]
    .assert_eq(&reply.to_string());
    let reply = get(&router, &format!("{DEV}/samples?parameters=BAT/V&cursor=x&format=csv")).await;
    assert_eq!(reply.status, 400, "{reply}");
}

#[tokio::test]
async fn csv_quotes_commas_quotes_and_line_breaks() {
    let (router, _) = open_app();
    let events = get(&router, &format!("{DEV}/events?format=csv&min_severity=high")).await;
    let units = get(&router, &format!("{DEV}/units?format=csv&apid=5")).await;
    let alarms = get(&router, &format!("{DEV}/alarms?format=csv")).await;
    expect![[r#"
        200 time_utc,time_ms,severity,source,event_id,message,data_hex
        1970-01-01T00:00:00.007Z,7,high,pus5,42,"heater on,
        zone 2",

        200 time_utc,time_ms,seq,link,kind,apid,hex,invalid
        1970-01-01T00:00:00.005Z,5,1,tm,packet,5,0800,"too short, ""2 bytes"""

        200 time_utc,time_ms,parameter,change,level,by
        1970-01-01T00:00:00.009Z,9,BAT/V,raised,warning,
    "#]]
    .assert_eq(&format!("{events}\n{units}\n{alarms}"));
}

#[tokio::test]
async fn replay_streams_json_lines_to_the_end() {
    let (router, _) = open_app();
    let reply = post_json(&router, &format!("{DEV}/replay"), None, r#"{"from_ms":1000,"to_ms":3000}"#).await;
    assert_eq!(reply.headers[header::CONTENT_TYPE], "application/x-ndjson");
    expect![[r#"
        200 {"type":"samples","samples":[{"parameter":"BAT/V","time_ms":1000,"raw":1,"eng":1.0,"level":"normal","valid":true},{"parameter":"BAT/V","time_ms":2000,"raw":2,"eng":2.0,"level":"normal","valid":true}],"dropped":0}
        {"type":"replay_done","units":2,"samples":2,"backfilled":0}
    "#]]
    .assert_eq(&reply.to_string());
}
