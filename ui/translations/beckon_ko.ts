<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ko_KR" sourcelanguage="en_GB">
<context>
    <name>Beckon</name>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="44" />
        <source>nod</source>
        <translation>끄덕임</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="46" />
        <source>head shake</source>
        <translation>고개 젓기</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="52" />
        <source>Please look at the screen.</source>
        <translation>화면을 봐 주세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="54" />
        <source>Rest your head and look at the screen.</source>
        <translation>머리를 편히 두고 화면을 봐 주세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="56" />
        <source>Rest.</source>
        <translation>쉬세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="58" />
        <source>Thank you.</source>
        <translation>감사합니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="60" />
        <source>Nod gently, as if to say yes.</source>
        <translation>"네"라고 하듯이 천천히 고개를 끄덕여 주세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="62" />
        <source>Shake your head gently, as if to say no.</source>
        <translation>"아니요"라고 하듯이 천천히 고개를 저어 주세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="63" />
        <source>Now: {gesture}</source>
        <translation>지금: {gesture}</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="68" />
        <source>Place the tablet 50 to 80 cm from the patient's face, at eye level, so that the camera sees the whole face. Press Start when the face is found.</source>
        <translation>태블릿을 환자 얼굴에서 50~80cm 떨어진 눈높이에 두어 카메라가 얼굴 전체를 보게 하세요. 얼굴이 인식되면 시작을 누르세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="74" />
        <source>Recording the resting face: the patient stays still.</source>
        <translation>쉬는 얼굴을 기록하는 중입니다. 환자는 움직이지 않습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="76" />
        <source>{gesture}: take {n} of {total}. Press Skip if the patient cannot do this movement.</source>
        <translation>{gesture}: {total}회 중 {n}회째. 환자가 이 동작을 할 수 없으면 건너뛰기를 누르세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="123" />
        <location filename="../../src/beckon/ui/calibration.py" line="100" />
        <source>Calibration</source>
        <translation>보정</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="151" />
        <source>Start</source>
        <translation>시작</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="153" />
        <source>Skip this movement</source>
        <translation>이 동작 건너뛰기</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="154" />
        <source>Start again</source>
        <translation>다시 시작</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="155" />
        <source>Save profile</source>
        <translation>프로필 저장</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="157" />
        <source>Close</source>
        <translation>닫기</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="193" />
        <source>The camera does not see a face yet.</source>
        <translation>카메라가 아직 얼굴을 찾지 못했습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="248" />
        <source>Step {n} of {total}</source>
        <translation>{total}단계 중 {n}단계</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="267" />
        <source>Saved: {path}. The bedside uses it from its next start.</source>
        <translation>저장됨: {path}. 침상 화면을 다시 시작하면 적용됩니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="271" />
        <source>Calibration did not succeed. Press Start again.</source>
        <translation>보정에 실패했습니다. 다시 시작을 누르세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="275" />
        <source>Measured movement: {list}</source>
        <translation>측정된 움직임: {list}</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="279" />
        <source>Switched off (not seen): {list}</source>
        <translation>꺼짐 (인식되지 않음): {list}</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/calibration.py" line="283" />
        <source>Press Save profile to keep it.</source>
        <translation>유지하려면 프로필 저장을 누르세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="24" />
        <source>Nod to choose. Shake for the next one.</source>
        <translation>고르려면 끄덕이세요. 다음으로 넘기려면 고개를 저으세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="26" />
        <source>Request chosen. One moment…</source>
        <translation>요청을 골랐습니다. 잠시만요…</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="28" />
        <source>Nod again to send it. Shake to cancel.</source>
        <translation>보내려면 한 번 더 끄덕이세요. 취소하려면 고개를 저으세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="30" />
        <source>Turn your head to move. Nod to choose.</source>
        <translation>고개를 돌려 움직이고, 끄덕여서 고르세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="32" />
        <source>Please answer the nurse's question.</source>
        <translation>간호사의 질문에 답해 주세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="33" />
        <source>Please wait…</source>
        <translation>잠시 기다려 주세요…</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="39" />
        <source>Not connected. Your request is saved and will be sent.</source>
        <translation>연결되지 않았습니다. 요청은 저장되었고 곧 전송됩니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="41" />
        <source>Sending your request…</source>
        <translation>요청을 보내는 중…</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="138" />
        <location filename="../../src/beckon/ui/strings.py" line="43" />
        <source>The nurses have your request.</source>
        <translation>간호사실에서 요청을 받았습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="46" />
        <source>{nurse} is coming.</source>
        <translation>{nurse} 님이 오고 있습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="47" />
        <source>A nurse is coming.</source>
        <translation>간호사가 오고 있습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="49" />
        <source>Done.</source>
        <translation>완료되었습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="51" />
        <source>Cancelled.</source>
        <translation>취소되었습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="58" />
        <source>Saved on this tablet</source>
        <translation>이 태블릿에 저장됨</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="60" />
        <source>Sent</source>
        <translation>전송됨</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="62" />
        <source>Received by the nurses' station</source>
        <translation>간호사실에서 받음</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="158" />
        <location filename="../../src/beckon/ui/strings.py" line="65" />
        <source>Acknowledged by {nurse}</source>
        <translation>{nurse} 님이 확인함</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="66" />
        <source>Acknowledged by a nurse</source>
        <translation>간호사가 확인함</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="68" />
        <source>Resolved</source>
        <translation>해결됨</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="70" />
        <source>Cancelled</source>
        <translation>취소됨</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="76" />
        <source>Camera on</source>
        <translation>카메라 켜짐</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="78" />
        <source>Camera starting</source>
        <translation>카메라 시작 중</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="80" />
        <source>Camera slow ({fps} frames/s)</source>
        <translation>카메라 느림 (초당 {fps}프레임)</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="82" />
        <source>Camera not working</source>
        <translation>카메라 작동 안 함</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="83" />
        <source>Camera off</source>
        <translation>카메라 꺼짐</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="88" />
        <source>Face found</source>
        <translation>얼굴 인식됨</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="90" />
        <source>Face found, hold still</source>
        <translation>얼굴 인식됨, 움직이지 마세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="97" />
        <source>Move the tablet closer to the face</source>
        <translation>태블릿을 얼굴에 더 가까이 옮기세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="99" />
        <source>Turn the face toward the screen</source>
        <translation>얼굴을 화면 쪽으로 돌리세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="101" />
        <source>Bring the whole face into the picture</source>
        <translation>얼굴 전체가 화면에 보이게 하세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="316" />
        <source>face too small or turned away: move the tablet</source>
        <translation>얼굴이 너무 작거나 돌아가 있음: 태블릿을 옮기세요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="91" />
        <source>Face not found</source>
        <translation>얼굴을 찾을 수 없음</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="96" />
        <source>Listening</source>
        <translation>듣는 중</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="98" />
        <source>Heard: {text}</source>
        <translation>들은 말: {text}</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="100" />
        <source>Microphone starting</source>
        <translation>마이크 시작 중</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="102" />
        <source>Microphone not working</source>
        <translation>마이크 작동 안 함</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="103" />
        <source>Microphone off</source>
        <translation>마이크 꺼짐</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="108" />
        <source>Connected</source>
        <translation>연결됨</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="110" />
        <source>Connecting…</source>
        <translation>연결 중…</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="111" />
        <source>Not connected</source>
        <translation>연결 안 됨</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="116" />
        <source>Station online</source>
        <translation>간호사실 연결됨</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="118" />
        <source>Station: waiting</source>
        <translation>간호사실: 기다리는 중</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="119" />
        <source>Station offline</source>
        <translation>간호사실 연결 끊김</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="123" />
        <source>Bed {bed}</source>
        <translation>{bed}번 침대</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="130" />
        <source>{intent}?</source>
        <translation>{intent}?</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="132" />
        <source>Send {intent}? Nod again.</source>
        <translation>{intent} 요청을 보낼까요? 한 번 더 끄덕이세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="134" />
        <source>{intent}. Your request is saved.</source>
        <translation>{intent}. 요청이 저장되었습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="136" />
        <source>{question} Nod for yes, shake for no.</source>
        <translation>{question} "네"는 끄덕이고, "아니요"는 고개를 저으세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="142" />
        <source>Your request is done.</source>
        <translation>요청이 완료되었습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="146" />
        <source>You answered yes.</source>
        <translation>"네"라고 답했습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="148" />
        <source>You answered no.</source>
        <translation>"아니요"라고 답했습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="159" />
        <source>Acknowledged</source>
        <translation>확인됨</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="161" />
        <source>Waiting for a nurse</source>
        <translation>간호사를 기다리는 중</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="167" />
        <source>Emergency</source>
        <translation>응급</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="169" />
        <source>Urgent</source>
        <translation>긴급</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="170" />
        <source>Routine</source>
        <translation>일반</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="178" />
        <source>Reminder: still open</source>
        <translation>알림: 아직 처리 안 됨</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="180" />
        <source>Escalated: primary nurse</source>
        <translation>상향: 담당 간호사</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="182" />
        <source>Escalated: charge nurse</source>
        <translation>상향: 책임 간호사</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="183" />
        <source>Escalated: whole unit</source>
        <translation>상향: 병동 전체</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="188" />
        <source>New request: bed {bed}, {intent}</source>
        <translation>새 요청: {bed}번 침대, {intent}</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="192" />
        <source>Still waiting: bed {bed}, {intent}</source>
        <translation>아직 대기 중: {bed}번 침대, {intent}</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="196" />
        <source>Device fault: bed {bed} is offline</source>
        <translation>기기 고장: {bed}번 침대 연결 끊김</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="198" />
        <source>Bed {bed} answered {answer}</source>
        <translation>{bed}번 침대의 대답: {answer}</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="206" />
        <source>YES</source>
        <translation>네</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="208" />
        <source>NO</source>
        <translation>아니요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="209" />
        <source>waiting…</source>
        <translation>기다리는 중…</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="214" />
        <source>by head gesture</source>
        <translation>고갯짓으로</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="216" />
        <source>by voice</source>
        <translation>음성으로</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="218" />
        <source>by touch</source>
        <translation>터치로</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="224" />
        <source>Are you in pain?</source>
        <translation>아프세요?</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="225" />
        <source>Are you thirsty?</source>
        <translation>목마르세요?</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="226" />
        <source>Are you comfortable?</source>
        <translation>편안하세요?</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="227" />
        <source>Do you want to sleep?</source>
        <translation>주무시고 싶으세요?</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/strings.py" line="228" />
        <source>Are you cold?</source>
        <translation>추우세요?</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="117" />
        <source>Cancel this request</source>
        <translation>이 요청 취소</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="132" />
        <source>Your requests show here.</source>
        <translation>요청하신 내용이 여기에 표시됩니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="648" />
        <location filename="../../src/beckon/ui/bedside_window.py" line="259" />
        <source>Show camera</source>
        <translation>카메라 보기</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="262" />
        <source>Calibrate</source>
        <translation>보정</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="377" />
        <location filename="../../src/beckon/ui/bedside_window.py" line="339" />
        <source>Yes</source>
        <translation>네</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="378" />
        <location filename="../../src/beckon/ui/bedside_window.py" line="340" />
        <source>No</source>
        <translation>아니요</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="348" />
        <source>Nod for yes, shake your head for no.</source>
        <translation>"네"는 끄덕이고, "아니요"는 고개를 저으세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="480" />
        <source>a nurse</source>
        <translation>간호사</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="481" />
        <source>{nurse} asks:</source>
        <translation>{nurse} 님의 질문:</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="511" />
        <location filename="../../src/beckon/ui/bedside_window.py" line="506" />
        <source>Did you ask for: {intent}? Nod or say yes.</source>
        <translation>{intent}을(를) 요청하셨나요? 끄덕이거나 "네"라고 말하세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="523" />
        <source>Send “{intent}”?</source>
        <translation>“{intent}” 요청을 보낼까요?</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="532" />
        <source>Cancel “{intent}”?</source>
        <translation>“{intent}” 요청을 취소할까요?</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="541" />
        <source>Touch Yes or No.</source>
        <translation>네 또는 아니요를 누르세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="648" />
        <source>Hide camera</source>
        <translation>카메라 숨기기</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="657" />
        <source>No picture</source>
        <translation>화면 없음</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/bedside_window.py" line="684" />
        <source>The bedside service stopped: call IT.</source>
        <translation>침상 서비스가 멈췄습니다. 전산실에 연락하세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="98" />
        <source>Acknowledge</source>
        <translation>확인</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="99" />
        <source>Resolve</source>
        <translation>해결</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="218" />
        <source>Unit {unit}</source>
        <translation>{unit} 병동</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="226" />
        <source>Your name:</source>
        <translation>이름:</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="228" />
        <source>Nurse name</source>
        <translation>간호사 이름</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="240" />
        <source>Requests</source>
        <translation>요청</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="241" />
        <source>History</source>
        <translation>기록</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="263" />
        <source>No open requests.</source>
        <translation>열린 요청이 없습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="273" />
        <source>Ask a bed a yes/no question</source>
        <translation>침대에 예/아니요 질문하기</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="278" />
        <source>Bed</source>
        <translation>침대</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="288" />
        <source>Ask</source>
        <translation>질문하기</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="292" />
        <source>Recent questions</source>
        <translation>최근 질문</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="314" />
        <source>Median time to a nurse's answer, per request type (last 24 h)</source>
        <translation>요청 종류별 간호사 응답 시간 중앙값 (최근 24시간)</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="320" />
        <source>Median time to a nurse's answer, per hour</source>
        <translation>시간대별 간호사 응답 시간 중앙값</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="326" />
        <source>No requests in the last 24 hours.</source>
        <translation>최근 24시간 동안 요청이 없습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="392" />
        <location filename="../../src/beckon/ui/station_window.py" line="376" />
        <source>Enter your name first.</source>
        <translation>먼저 이름을 입력하세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="384" />
        <source>Not connected: the action was not sent.</source>
        <translation>연결 안 됨: 작업이 전송되지 않았습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="396" />
        <source>Choose a bed and a question.</source>
        <translation>침대와 질문을 고르세요.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="399" />
        <source>Not connected: the question was not sent.</source>
        <translation>연결 안 됨: 질문이 전송되지 않았습니다.</translation>
    </message>
    <message>
        <location filename="../../src/beckon/ui/station_window.py" line="474" />
        <source>{n} requests in the last {h} hours</source>
        <translation>최근 {h}시간 동안 요청 {n}건</translation>
    </message>
</context></TS>
